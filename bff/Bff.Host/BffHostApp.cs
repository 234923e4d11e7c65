namespace Bff.Host;

/// <summary>The runnable BFF: the library wired as an application would wire it, serving the SPA from wwwroot.</summary>
public static class BffHostApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });

        var bff = builder.Services.AddBff(builder.Configuration.GetSection("Bff"));
        // With ConnectionStrings:Redis (or Bff:Redis:ConnectionString), sessions, keys and locks are shared by every
        // instance; without, in memory.
        var redis = builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } connectionString
            ? connectionString
            : builder.Configuration["Bff:Redis:ConnectionString"];
        if (string.IsNullOrEmpty(redis) && (builder.Configuration.GetSection("Bff:Redis").Exists() || builder.Configuration.GetSection("Bff:DataProtection").Exists()))
        {
            // Redis settings without Redis would be ignored without a word: every instance on its own sessions and keys.
            throw new InvalidOperationException(
                "Bff:Redis or Bff:DataProtection settings are set, but no Redis connection string: set ConnectionStrings:Redis (e.g. 'redis.internal:6379,password=…'), or remove those settings to keep sessions in memory.");
        }

        if (!string.IsNullOrEmpty(redis))
        {
            bff.AddRedis(options =>
            {
                builder.Configuration.GetSection("Bff:Redis").Bind(options);
                builder.Configuration.GetSection("Bff:DataProtection:Certificate").Bind(options.KeyRingCertificate);
                options.ConnectionString = redis;
            });
        }

        bff.AddRemoteApis(builder.Configuration.GetSection("ReverseProxy"));
        HostTelemetry.Add(builder);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseBff();
        app.MapBffHealthChecks();
        HostTelemetry.Map(app);
        app.MapBffManagementEndpoints();
        app.MapRemoteApis();
        app.MapFallbackToFile("index.html");
        return app;
    }
}
