namespace Bff.Sessions.Store;

/// <summary>The parts of a <see cref="SessionRecord"/> read on every request when its ticket is known: small, no tokens.</summary>
/// <param name="Stamp">The record's <see cref="SessionRecord.Stamp"/>: which ticket is current.</param>
/// <param name="LastActivityAt">The record's last activity.</param>
/// <param name="ExpiresAt">The record's expiry.</param>
public readonly record struct SessionState(long Stamp, DateTimeOffset LastActivityAt, DateTimeOffset ExpiresAt);
