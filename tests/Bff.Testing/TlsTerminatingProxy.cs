using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bff.Testing;

/// <summary>
/// A real nginx that terminates TLS on a free loopback port with a self-signed certificate made here, and
/// forwards to a BFF over plain HTTP with <c>X-Forwarded-For</c>/<c>-Proto</c>/<c>-Host</c>, as an ingress does.
/// It connects to the BFF from <see cref="SourceAddress"/>, so the BFF can trust it alone among loopback peers.
/// </summary>
public sealed class TlsTerminatingProxy : IAsyncDisposable
{
    /// <summary>The address nginx connects to the BFF from (all of 127/8 is loopback on Linux).</summary>
    public const string SourceAddress = "127.0.0.2";

    private readonly string _directory;
    private ExternalProcess? _process;

    private TlsTerminatingProxy(int port, X509Certificate2 certificate)
    {
        Port = port;
        Certificate = certificate;
        _directory = Directory.CreateTempSubdirectory("bff-nginx-").FullName;
    }

    public int Port { get; }

    public string Origin => $"https://localhost:{Port}";

    public X509Certificate2 Certificate { get; }

    /// <summary>Reserves the port (so the identity provider can be told the https origin before the BFF starts).</summary>
    public static TlsTerminatingProxy Create() => new(FreePort.Next(), TestCertificate.Localhost());

    /// <summary>Accepts exactly this proxy's certificate, as a browser would after the user trusted it.</summary>
    public bool Trusts(X509Certificate2? presented) =>
        presented is not null && presented.Thumbprint == Certificate.Thumbprint;

    public async Task StartAsync(int bffPort)
    {
        File.WriteAllText(Path.Combine(_directory, "cert.pem"), Certificate.ExportCertificatePem());
        using (var key = Certificate.GetRSAPrivateKey()!)
        {
            File.WriteAllText(Path.Combine(_directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        var user = Environment.UserName == "root" ? "user root root;" : "";
        File.WriteAllText(Path.Combine(_directory, "nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            pid {{_directory}}/nginx.pid;
            error_log {{_directory}}/error.log warn;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path {{_directory}}/body;
              proxy_temp_path {{_directory}}/proxy;
              fastcgi_temp_path {{_directory}}/fastcgi;
              uwsgi_temp_path {{_directory}}/uwsgi;
              scgi_temp_path {{_directory}}/scgi;
              server {
                listen 127.0.0.1:{{Port}} ssl;
                server_name localhost;
                ssl_certificate {{_directory}}/cert.pem;
                ssl_certificate_key {{_directory}}/key.pem;
                location / {
                  proxy_pass http://127.0.0.1:{{bffPort}};
                  proxy_bind {{SourceAddress}};
                  proxy_http_version 1.1;
                  proxy_set_header Host $host:$server_port;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_set_header X-Forwarded-Host $host:$server_port;
                }
              }
            }
            """);

        _process = ExternalProcess.Start(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx", ["-p", _directory, "-c", Path.Combine(_directory, "nginx.conf"), "-g", "daemon off;"], _directory);
        await _process.WaitUntilAsync(ListensAsync, TimeSpan.FromSeconds(20), "nginx");
    }

    private async Task<bool> ListensAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("localhost");
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.TerminateAsync(TimeSpan.FromSeconds(5));
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
