namespace Bff.Configuration;

/// <summary>Back-channel logout settings, bound from <c>Bff:BackChannel</c>.</summary>
public sealed class BackChannelOptions
{
    /// <summary>
    /// Accept only logout tokens typed <c>logout+jwt</c> (OIDC Back-Channel Logout recommends it). Defaults to
    /// <c>false</c>: tokens typed <c>JWT</c> or without <c>typ</c> are accepted too, as many providers send them
    /// (the <c>events</c> claim, no <c>nonce</c> and the other checks still keep an id_token or access token out).
    /// </summary>
    public bool RequireLogoutJwtType { get; set; }
}
