namespace Bff.Redis;

/// <summary>Checks <see cref="RedisOptions"/> at start-up; never repeats the connection string (it may hold a password).</summary>
internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add("ConnectionStrings:Redis is empty: set it to a StackExchange.Redis configuration string such as 'localhost:6379', or leave Redis out to keep sessions in memory.");
        }
        else if (RedisConfiguration.TryParse(options.ConnectionString, out _, out var problem) is false)
        {
            errors.Add($"ConnectionStrings:Redis is not a valid StackExchange.Redis configuration string ({problem}). Example: 'redis.internal:6379,password=secret,ssl=true'.");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            // Braces would become the keys' Redis Cluster hash tag and put every key in one slot.
            errors.Add("Bff:Redis:KeyPrefix must be a non-empty prefix without spaces or braces, e.g. 'bff:' or 'shop-bff:'.");
        }

        if (options.TrustedCertificateAuthority is { Length: > 0 } authority && !File.Exists(authority))
        {
            errors.Add($"Bff:Redis:TrustedCertificateAuthority names '{authority}', which does not exist: give the path of the CA certificate (PEM or DER) that signed Redis's TLS certificate.");
        }

        if (string.IsNullOrWhiteSpace(options.ApplicationName))
        {
            errors.Add("Bff:Redis:ApplicationName must not be empty: every instance of one application uses the same name, e.g. 'bff'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
