using Bff.Configuration;

namespace Bff.Redis;

/// <summary>Checks <see cref="RedisOptions"/> at start-up; never repeats the connection string (it may hold a password).</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var problems = new OptionsProblems();
        problems.RefuseIf(string.IsNullOrWhiteSpace(options.ConnectionString),
            "ConnectionStrings:Redis is empty: set it to a StackExchange.Redis configuration string such as 'localhost:6379', or leave Redis out to keep sessions in memory.");
        var problem = string.IsNullOrWhiteSpace(options.ConnectionString) ? null : RedisConfiguration.Problem(options.ConnectionString);
        problems.RefuseIf(problem is not null,
            $"ConnectionStrings:Redis is not a valid StackExchange.Redis configuration string ({problem}). Example: 'redis.internal:6379,password=secret,ssl=true'.");
        // Braces would become the keys' Redis Cluster hash tag and put every key in one slot.
        problems.RefuseIf(string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'),
            "Bff:Redis:KeyPrefix must be a non-empty prefix without spaces or braces, e.g. 'bff:' or 'shop-bff:'.");
        problems.RefuseIf(options.TrustedCertificateAuthority is { Length: > 0 } authority && !File.Exists(authority),
            $"Bff:Redis:TrustedCertificateAuthority names '{options.TrustedCertificateAuthority}', which does not exist: give the path of the CA certificate (PEM or DER) that signed Redis's TLS certificate.");
        problems.RefuseIf(string.IsNullOrWhiteSpace(options.ApplicationName),
            "Bff:Redis:ApplicationName must not be empty: every instance of one application uses the same name, e.g. 'bff'.");

        return problems.Result;
    }
}
