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

        builder.Services.AddBff(builder.Configuration.GetSection("Bff"))
            .AddRemoteApis(builder.Configuration.GetSection("ReverseProxy"));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseBff();
        app.MapBffManagementEndpoints();
        app.MapRemoteApis();
        app.MapFallbackToFile("index.html");
        return app;
    }
}
