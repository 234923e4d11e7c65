using Microsoft.EntityFrameworkCore;

namespace OpenIddictProvider;

/// <summary>OpenIddict's applications, authorizations, scopes and tokens, held in memory for the life of the process.</summary>
internal sealed class ProviderDbContext(DbContextOptions<ProviderDbContext> options) : DbContext(options);
