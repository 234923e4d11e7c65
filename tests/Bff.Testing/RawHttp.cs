using System.Net.Sockets;
using System.Text;

namespace Bff.Testing;

/// <summary>HTTP/1.1 as raw bytes over TCP: what a hostile client sends, without a client library tidying it up.</summary>
public static class RawHttp
{
    /// <summary>Sends the bytes and reads the answer until the server closes; status 0 when it closed without one.</summary>
    public static async Task<(int Status, string Body)> SendAsync(int port, byte[] request, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        var stream = client.GetStream();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await stream.WriteAsync(request, timeout.Token);
        }
        catch (IOException)
        {
            // The server may answer and close before reading a body it refuses.
        }

        using var response = new MemoryStream();
        try
        {
            await stream.CopyToAsync(response, timeout.Token);
        }
        catch (IOException)
        {
        }

        var text = Encoding.UTF8.GetString(response.ToArray());
        var parts = text.Split(' ', 3);
        var status = parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var code) ? code : 0;
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (bodyStart < 0)
        {
            return (status, "");
        }

        var head = text[..bodyStart];
        var body = text[(bodyStart + 4)..];
        return (status, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(chunked.AsSpan(position, lineEnd - position), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            var start = lineEnd + 2;
            body.Append(chunked, start, Math.Min(size, chunked.Length - start));
            position = start + size + 2;
        }

        return body.ToString();
    }
}
