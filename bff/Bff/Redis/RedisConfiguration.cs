using StackExchange.Redis;

namespace Bff.Redis;

/// <summary>
/// Turns the connection string into StackExchange.Redis settings that suit a request path: never abort on a
/// failed connect (keep retrying in the background), and fail fast while Redis is down unless the string says otherwise.
/// </summary>
internal static class RedisConfiguration
{
    public const int DefaultConnectTimeoutMs = 2000;
    public const int DefaultSyncTimeoutMs = 2000;

    /// <summary>What is wrong with the connection string, or null when it can be used.</summary>
    public static string? Problem(string connectionString)
    {
        try
        {
            var endpoints = Parse(connectionString).EndPoints;
            if (endpoints.Count == 0)
            {
                return "it names no host:port";
            }

            // A redis:// or rediss:// URL is not this client's format: it reads as one odd host, which never connects
            // and would be logged with the password in it.
            return endpoints.Any(e => e is System.Net.DnsEndPoint { Host: var host } && host.IndexOfAny(['/', '@', ' ']) >= 0)
                ? "an endpoint is not host:port; a redis:// URL is not understood, write 'host:port,user=…,password=…,ssl=true'"
                : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            // The parser's message can quote the offending option; keep only its kind.
            return ex.GetType().Name;
        }
    }

    public static ConfigurationOptions Parse(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;
        if (!Mentions(connectionString, "connectTimeout"))
        {
            configuration.ConnectTimeout = DefaultConnectTimeoutMs;
        }

        if (!Mentions(connectionString, "syncTimeout"))
        {
            configuration.SyncTimeout = DefaultSyncTimeoutMs;
        }

        if (!Mentions(connectionString, "connectRetry"))
        {
            configuration.ConnectRetry = 1;
        }

        // The client's tie-breaker probe (a GET of a fixed key on every connection) only helps a hand-made
        // multi-primary setup; on a cluster it is a MOVED answer from every master but one.
        if (!Mentions(connectionString, "tiebreaker"))
        {
            configuration.TieBreaker = "";
        }

        return configuration;
    }

    private static bool Mentions(string connectionString, string option) =>
        connectionString.Split(',').Any(part =>
            part.Split('=', 2)[0].Trim().Equals(option, StringComparison.OrdinalIgnoreCase));
}
