using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace DemoApi;

/// <summary>
/// The demo backend: accepts only JWT access tokens the development provider issued for audience <c>api</c>,
/// and shows what it received, so anyone can see what the BFF forwards.
/// </summary>
public static class DemoApiApp
{
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var authority = builder.Configuration["Api:Authority"] ?? "http://localhost:5001";
        var audience = builder.Configuration["Api:Audience"] ?? "api";

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.Authority = authority;
                options.Audience = audience;
                options.RequireHttpsMetadata = authority.StartsWith("https://", StringComparison.Ordinal);
                options.MapInboundClaims = false;
                options.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(5);
            });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/api/whoami", (HttpContext context) =>
        {
            var user = context.User;
            string? Claim(string type) => user.FindFirst(type)?.Value;
            long? Number(string type) => long.TryParse(Claim(type), out var n) ? n : null;
            return Results.Json(new
            {
                sub = Claim("sub"),
                name = Claim("name"),
                scope = Claim("scope"),
                aud = user.FindAll("aud").Select(c => c.Value).ToArray(),
                client_id = Claim("client_id"),
                jti = Claim("jti"),
                iat = Number("iat"),
                exp = Number("exp"),
            });
        }).RequireAuthorization();

        // Header names only (values could hold credentials), plus the X-Forwarded-* values the proxy set.
        app.MapGet("/api/echo", (HttpContext context) => Results.Json(new
        {
            path = context.Request.Path.Value,
            headers = context.Request.Headers.Keys.Select(k => k.ToLowerInvariant()).Order().ToArray(),
            forwarded = context.Request.Headers
                .Where(h => h.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            authorizationScheme = context.Request.Headers.Authorization.ToString().Split(' ')[0],
        }));

        // Anything else under /api shows the path the API received (so tests can see what was forwarded).
        app.MapGet("/api/{**rest}", (HttpContext context) => Results.Json(new { path = context.Request.Path.Value }));

        return app;
    }
}
