using System.Net;
using System.Text.Json;
using Bff.Tests.Oidc;

namespace Bff.Tests.Tokens;

public sealed class UserAccessTokenServiceTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    // The first back-off is 1 s give or take its jitter.
    private static readonly TimeSpan FirstBackoffAtMost = TimeSpan.FromSeconds(1 + RefreshBackoff.Jitter);

    // Key generation is the slow part: the provider's keys, before and after a rotation, are made once.
    private static readonly TestSigningKey OldKey = TestSigningKey.Rsa("key-1");
    private static readonly TestSigningKey NewKey = TestSigningKey.Rsa("key-2");

    [Fact]
    public async Task A_fresh_token_is_returned_without_calling_the_provider()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInAsync(Lifetime);

        var result = await kit.GetUserTokenAsync(session.Id);

        Assert.Equal(AccessTokenResult.Success("at-0"), result);
        Assert.Equal(0, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task A_due_token_is_refreshed_and_the_rotated_tokens_are_stored()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInAsync(Lifetime);
        kit.Time.Advance(Lifetime - TimeSpan.FromSeconds(30));

        var result = await kit.GetUserTokenAsync(session.Id);

        Assert.Equal(AccessTokenResult.Success("at-1"), result);
        var stored = (await kit.StoredTokensAsync(session.Id))!;
        Assert.Equal("at-1", stored.AccessToken);
        Assert.Equal("rt-1", stored.RefreshToken);
        Assert.Equal(kit.Time.GetUtcNow().AddSeconds(60), stored.ExpiresAt);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_refresh()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();

        var calls = Enumerable.Range(0, 10).Select(_ => kit.GetUserTokenAsync(session.Id)).ToList();
        await kit.Endpoint.Arrived.Task;
        kit.Endpoint.Gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(AccessTokenResult.Success("at-1"), r));
        Assert.Equal(1, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task A_refresh_whose_callers_gave_up_still_lands_and_is_not_reused_later()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();

        using var gaveUp = new CancellationTokenSource();
        var abandoned = kit.UserTokens.GetAsync(session, (await kit.StoredTokensAsync(session.Id))!, gaveUp.Token);
        await kit.Endpoint.Arrived.Task;
        gaveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        kit.Endpoint.Gate.SetResult();
        while (kit.Flights.IsRefreshing(session.Id))
        {
            await Task.Yield();
        }

        Assert.Equal("at-1", (await kit.StoredTokensAsync(session.Id))!.AccessToken);

        // The stored token comes due again: a new refresh, not the landed one's answer.
        kit.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.GetUserTokenAsync(session.Id));
    }

    [Fact]
    public async Task A_provider_slower_than_the_lock_lease_keeps_the_lock_by_renewing_it()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();

        var refresh = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;

        // Three leases pass while the provider thinks; renewals keep the lock with the refresher, so
        // another instance cannot take it and spend the same refresh token.
        kit.Time.Advance(RefreshSingleFlight.LockLease * 3);
        var rival = await kit.Locks.TryAcquireAsync("refresh:" + session.Id, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Null(rival);

        kit.Endpoint.Gate.SetResult();
        Assert.Equal(AccessTokenResult.Success("at-1"), await refresh);
        Assert.Equal(1, kit.Endpoint.Calls);
    }

    // A refresh whose lock ran out (its renewals failed while the provider thought) and another instance that took the
    // lock over and stored its own refresh: the late answer must not overwrite the stored tokens, and the refresh token
    // it brought is nobody's.
    [Fact]
    public async Task A_refresh_answered_after_another_instance_stored_its_own_keeps_those_tokens_and_revokes_its_own()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();
        var late = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;

        var other = await kit.SignInAsync(Lifetime, accessToken: "at-from-other", refreshToken: "rt-from-other");
        var othersTicket = kit.Tickets.Unprotect((await kit.Store.GetAsync(other.Id, CancellationToken.None))!.Ticket, other.Id)!;
        await kit.Store.ReplaceTicketAsync(session.Id, kit.Tickets.Protect(othersTicket, session.Id), CancellationToken.None);
        kit.Endpoint.Gate.SetResult();

        Assert.Equal(AccessTokenResult.Success("at-from-other"), await late);
        var stored = (await kit.StoredTokensAsync(session.Id))!;
        Assert.Equal("at-from-other", stored.AccessToken);
        Assert.Equal("rt-from-other", stored.RefreshToken);
        Assert.Equal(["rt-1"], kit.Endpoint.Revoked);
    }

    [Fact]
    public async Task A_refresh_beaten_by_another_does_not_revoke_a_refresh_token_the_provider_did_not_rotate()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        // A provider that hands back the refresh token spent: both instances hold the same one.
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.OK, """{"access_token":"at-1","refresh_token":"rt-0","token_type":"Bearer","expires_in":60}"""));
        kit.Endpoint.Gate = new TaskCompletionSource();
        var late = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;

        var other = await kit.SignInAsync(Lifetime, accessToken: "at-from-other", refreshToken: "rt-0");
        var othersTicket = kit.Tickets.Unprotect((await kit.Store.GetAsync(other.Id, CancellationToken.None))!.Ticket, other.Id)!;
        await kit.Store.ReplaceTicketAsync(session.Id, kit.Tickets.Protect(othersTicket, session.Id), CancellationToken.None);
        kit.Endpoint.Gate.SetResult();

        Assert.Equal(AccessTokenResult.Success("at-from-other"), await late);
        Assert.Empty(kit.Endpoint.Revoked);
    }

    [Fact]
    public async Task A_refresh_beaten_by_another_whose_token_is_due_as_well_keeps_the_session()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();
        var late = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;

        // The other instance stored a token that is due as well (already expired here): nothing usable to hand out now.
        var other = await kit.SignInAsync(TimeSpan.FromSeconds(-1), accessToken: "at-from-other", refreshToken: "rt-from-other");
        var othersTicket = kit.Tickets.Unprotect((await kit.Store.GetAsync(other.Id, CancellationToken.None))!.Ticket, other.Id)!;
        await kit.Store.ReplaceTicketAsync(session.Id, kit.Tickets.Protect(othersTicket, session.Id), CancellationToken.None);
        kit.Endpoint.Gate.SetResult();

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await late);
        Assert.Equal("rt-from-other", (await kit.StoredTokensAsync(session.Id))!.RefreshToken);
        Assert.Equal(["rt-1"], kit.Endpoint.Revoked);
    }

    [Fact]
    public async Task A_waiting_instance_uses_the_token_another_instance_stored()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);

        // Another instance holds the refresh lock ...
        var other = await kit.Locks.TryAcquireAsync("refresh:" + session.Id, TimeSpan.FromSeconds(5), CancellationToken.None);
        var waiting = kit.GetUserTokenAsync(session.Id);

        // ... and stores its refreshed tokens.
        var fresh = await kit.SignInAsync(Lifetime, accessToken: "at-from-other", refreshToken: "rt-from-other");
        var current = (await kit.Store.GetAsync(fresh.Id, CancellationToken.None))!;
        var refreshed = kit.Tickets.Unprotect(current.Ticket, fresh.Id)!;
        await kit.Store.ReplaceTicketAsync(session.Id, kit.Tickets.Protect(refreshed, session.Id), CancellationToken.None);
        await other!.DisposeAsync();
        while (!waiting.IsCompleted)
        {
            kit.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }

        Assert.Equal(AccessTokenResult.Success("at-from-other"), await waiting);
        Assert.Equal(0, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task Invalid_grant_ends_the_session()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.BadRequest, """{"error":"invalid_grant"}"""));

        var result = await kit.GetUserTokenAsync(session.Id);

        Assert.Equal(AccessTokenResult.SessionEnded, result);
        Assert.Null(await kit.Store.GetAsync(session.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    public async Task A_bare_400_without_an_oauth_error_ends_the_session(string body)
    {
        // Some providers refuse a revoked refresh token this way.
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.BadRequest, body));

        Assert.Equal(AccessTokenResult.SessionEnded, await kit.GetUserTokenAsync(session.Id));
        Assert.Null(await kit.Store.GetAsync(session.Id, CancellationToken.None));
    }

    // Issue: a rotated client secret, a rate limit or a proxy's error page must not sign every user out.
    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"invalid_client"}""")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"invalid_client"}""")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"unauthorized_client"}""")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"invalid_request"}""")]
    [InlineData(HttpStatusCode.Forbidden, """{"error":"access_denied"}""")]
    [InlineData(HttpStatusCode.TooManyRequests, "")]
    [InlineData(HttpStatusCode.TooManyRequests, """{"error":"slow_down"}""")]
    [InlineData(HttpStatusCode.RequestTimeout, "")]
    [InlineData(HttpStatusCode.Unauthorized, "")]
    [InlineData(HttpStatusCode.NotFound, "<html>not found</html>")]
    [InlineData(HttpStatusCode.BadRequest, "<html><body>Request blocked by the firewall</body></html>")] // a WAF in front of the provider
    [InlineData(HttpStatusCode.ServiceUnavailable, """{"error":"invalid_grant"}""")]
    [InlineData(HttpStatusCode.OK, "<html>captive portal</html>")]
    [InlineData(HttpStatusCode.OK, "[]")]
    [InlineData(HttpStatusCode.OK, """{"token_type":"Bearer"}""")]
    public async Task Answers_other_than_a_refused_grant_keep_the_session_and_back_off(HttpStatusCode status, string body)
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue((status, body));

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.NotNull(await kit.Store.GetAsync(session.Id, CancellationToken.None));
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Endpoint.Calls);

        kit.Time.Advance(FirstBackoffAtMost);
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.GetUserTokenAsync(session.Id));
    }

    // Issue: an instance that never read the discovery document (a restart with Redis sessions, a new instance)
    // threw to the proxy, which answered 500, when the provider was away at the first refresh.
    [Theory]
    [InlineData("unreachable")]
    [InlineData("names another issuer")]
    public async Task A_discovery_document_that_cannot_be_used_keeps_the_session_and_backs_off(string fault)
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        if (fault == "unreachable")
        {
            kit.Discovery.Failure = new HttpRequestException("connection refused");
        }
        else
        {
            kit.Discovery.Issuer = "https://elsewhere.example";
        }

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.NotNull(await kit.Store.GetAsync(session.Id, CancellationToken.None));

        // Within the back-off the provider is left alone.
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Discovery.Fetches);
        Assert.Equal(0, kit.Endpoint.Calls);

        // The provider is back (a refused document is not re-read for a while): the next call refreshes.
        kit.Discovery.Failure = null;
        kit.Discovery.Issuer = TokenTestKit.Authority;
        kit.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.GetUserTokenAsync(session.Id));
    }

    [Fact]
    public async Task A_provider_that_outlasts_the_refresh_flight_keeps_the_session_and_backs_off()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();

        var refresh = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;
        kit.Time.Advance(RefreshSingleFlight.FlightTimeout);

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await refresh);
        Assert.Equal("rt-0", (await kit.StoredTokensAsync(session.Id))!.RefreshToken);
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task A_refreshed_id_token_that_does_not_validate_ends_the_session()
    {
        // OpenID Connect Core 12.2: an id_token in a refresh answer must be valid and name the same iss and sub;
        // this provider publishes no key that could have signed it.
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.OK,
            """{"access_token":"at-x","refresh_token":"rt-x","expires_in":60,"id_token":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0."}"""));

        Assert.Equal(AccessTokenResult.SessionEnded, await kit.GetUserTokenAsync(session.Id));
        Assert.Null(await kit.Store.GetAsync(session.Id, CancellationToken.None));
    }

    // Issue: an id_token signed with a key the provider had just rotated in, while the keys could not be read again
    // (too soon after the last read, or the provider away), ended the session as a mismatch, and the refresh token
    // the provider had just issued was neither kept nor revoked.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refreshed_id_token_signed_with_a_key_not_read_yet_keeps_the_session_and_the_new_refresh_token(bool reReadFails)
    {
        using var kit = new TokenTestKit();
        kit.Discovery.Keys = [OldKey];
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        if (reReadFails)
        {
            // A refresh reads the keys; past the re-read floor, the provider is away when they are read again.
            kit.Endpoint.Answers.Enqueue(Answer("at-1", "rt-1", kit.IdToken(OldKey)));
            Assert.Equal(AccessTokenResult.Success("at-1"), await kit.GetUserTokenAsync(session.Id));
            kit.Time.Advance(TimeSpan.FromSeconds(60));
            kit.Discovery.Failure = new HttpRequestException("connection refused");
        }

        // Otherwise this refresh has just read the keys, so they are not read again for a while.
        kit.Endpoint.Answers.Enqueue(Answer("at-x", "rt-x", kit.IdToken(NewKey)));

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        var kept = (await kit.StoredTokensAsync(session.Id))!;
        Assert.Equal("rt-x", kept.RefreshToken); // the provider rotates: the old one is spent
        Assert.NotEqual("at-x", kept.AccessToken); // what the unchecked id_token came with is not used
        Assert.Empty(kit.Endpoint.Revoked);
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id)); // backing off

        // Past the floor and the back-off the new key is read, and the kept refresh token is the one spent.
        kit.Discovery.Failure = null;
        kit.Discovery.Keys = [OldKey, NewKey];
        kit.Time.Advance(TimeSpan.FromSeconds(30));
        kit.Endpoint.Answers.Enqueue(Answer("at-y", "rt-y", kit.IdToken(NewKey)));
        Assert.Equal(AccessTokenResult.Success("at-y"), await kit.GetUserTokenAsync(session.Id));
        Assert.Equal("rt-x", kit.Endpoint.SpentRefreshTokens.Last());
        Assert.Equal("rt-y", (await kit.StoredTokensAsync(session.Id))!.RefreshToken);
    }

    // OpenID Connect Core 12.2: a refreshed id_token must name the same issuer and subject. The provider has spent the
    // grant on that answer: the refresh token it left valid (the new one, or the old one when it does not rotate) is revoked.
    [Theory]
    [InlineData("mallory", TokenTestKit.Authority, "rt-x", "rt-x")]
    [InlineData("mallory", TokenTestKit.Authority, null, "rt-0")]
    [InlineData("alice", "https://elsewhere.example", "rt-x", "rt-x")]
    public async Task A_refreshed_id_token_for_someone_else_ends_the_session_and_revokes_the_refresh_token_left(
        string subject, string issuer, string? issued, string revoked)
    {
        using var kit = new TokenTestKit();
        kit.Discovery.Keys = [OldKey];
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue(Answer("at-x", issued, kit.IdToken(OldKey, subject, issuer)));

        Assert.Equal(AccessTokenResult.SessionEnded, await kit.GetUserTokenAsync(session.Id));
        Assert.Null(await kit.Store.GetAsync(session.Id, CancellationToken.None));
        Assert.Equal([revoked], kit.Endpoint.Revoked);
    }

    [Fact]
    public async Task A_transient_failure_keeps_the_session_and_backs_off_before_trying_again()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.BadGateway, "oops"));

        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.NotNull(await kit.Store.GetAsync(session.Id, CancellationToken.None));

        // Within the back-off the provider is left alone.
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Endpoint.Calls);

        kit.Time.Advance(FirstBackoffAtMost);
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(2, kit.Endpoint.Calls);
    }

    [Fact]
    public async Task A_session_ended_during_the_refresh_is_not_brought_back()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();

        var refresh = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;
        await kit.Store.RemoveAsync(session.Id, CancellationToken.None);
        kit.Endpoint.Gate.SetResult();

        Assert.Equal(AccessTokenResult.SessionEnded, await refresh);
        Assert.Null(await kit.Store.GetAsync(session.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_refresh_token_issued_to_a_session_that_ended_meanwhile_is_revoked(bool keyNotReadYet)
    {
        using var kit = new TokenTestKit();
        kit.Discovery.Keys = [OldKey];
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        if (keyNotReadYet)
        {
            // Only the refresh token would have been kept: it is thrown away all the same.
            kit.Endpoint.Answers.Enqueue(Answer("at-1", "rt-1", kit.IdToken(NewKey)));
        }

        kit.Endpoint.Gate = new TaskCompletionSource();

        var refresh = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;
        await kit.Store.RemoveAsync(session.Id, CancellationToken.None);
        kit.Endpoint.Gate.SetResult();

        Assert.Equal(AccessTokenResult.SessionEnded, await refresh);
        Assert.Equal(["rt-1"], kit.Endpoint.Revoked);
    }

    // Issue: expires_in 0 or less made every proxied call refresh (rotating the refresh token each time); a JWT access
    // token without expires_in whose exp had passed lost its expiry and was forwarded expired until the session ended.
    [Theory]
    [InlineData("""{"access_token":"at-1","refresh_token":"rt-1","expires_in":0}""")]
    [InlineData("""{"access_token":"at-1","refresh_token":"rt-1","expires_in":-30}""")]
    [InlineData("expired-jwt")]
    public async Task A_refresh_answer_without_a_usable_expiry_is_renewed_after_the_fallback_lifetime_not_on_every_call(string body)
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        var expected = "at-1";
        if (body == "expired-jwt")
        {
            var now = kit.Time.GetUtcNow().ToUnixTimeSeconds();
            expected = OldKey.Sign(new Dictionary<string, object?> { ["sub"] = "alice", ["iat"] = now - 65, ["exp"] = now - 5 });
            body = JsonSerializer.Serialize(new { access_token = expected, refresh_token = "rt-1" });
        }

        kit.Endpoint.Answers.Enqueue((HttpStatusCode.OK, body));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(AccessTokenResult.Success(expected), await kit.GetUserTokenAsync(session.Id));
        }

        Assert.Equal(1, kit.Endpoint.Calls);

        kit.Time.Advance(SessionTokens.FallbackLifetime);
        Assert.Equal(AccessTokenResult.Success("at-2"), await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(2, kit.Endpoint.Calls);
        Assert.Equal(["rt-0", "rt-1"], kit.Endpoint.SpentRefreshTokens);
    }

    // Issue: a transient failure (or its back-off) answered 503 although the token, refreshed early, still worked.
    [Fact]
    public async Task While_the_provider_fails_a_due_token_still_valid_is_used_until_shortly_before_it_expires()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInAsync(Lifetime);
        kit.Time.Advance(Lifetime - TimeSpan.FromSeconds(60));
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, ""));

        Assert.Equal(AccessTokenResult.Success("at-0"), await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Endpoint.Calls);
        // Within the back-off: the provider is left alone, the token still serves.
        Assert.Equal(AccessTokenResult.Success("at-0"), await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Endpoint.Calls);

        // Less than TokenRefreshPolicy.MinimumRemaining left: it would expire on its way to the API.
        kit.Time.Advance(TimeSpan.FromSeconds(56));
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, ""));
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(2, kit.Endpoint.Calls);

        // Expired, past the back-off, the provider still failing.
        kit.Time.Advance(TimeSpan.FromSeconds(4));
        kit.Endpoint.Answers.Enqueue((HttpStatusCode.ServiceUnavailable, ""));
        Assert.Equal(AccessTokenResult.ProviderUnavailable, await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(3, kit.Endpoint.Calls);
        Assert.Equal("rt-0", (await kit.StoredTokensAsync(session.Id))!.RefreshToken);
    }

    // A provider that accepts the connection but does not answer held every call of the session for the refresh's
    // whole time-out (about 11 s in a real run), although the token it was renewing still worked.
    [Fact]
    public async Task A_slow_early_renewal_does_not_hold_up_calls_while_the_token_still_works()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInAsync(Lifetime);
        kit.Time.Advance(Lifetime - TimeSpan.FromSeconds(30));
        kit.Endpoint.Gate = new TaskCompletionSource();

        var first = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;
        Assert.False(first.IsCompleted);
        kit.Time.Advance(UserAccessTokenService.EarlyRenewalWait);
        Assert.Equal(AccessTokenResult.Success("at-0"), await first.WaitAsync(TimeSpan.FromSeconds(10)));

        // The renewal goes on; a later call waits its short while too, and is answered with the current token.
        Assert.True(kit.Flights.IsRefreshing(session.Id));
        var second = kit.GetUserTokenAsync(session.Id);
        kit.Time.Advance(UserAccessTokenService.EarlyRenewalWait);
        Assert.Equal(AccessTokenResult.Success("at-0"), await second.WaitAsync(TimeSpan.FromSeconds(10)));

        kit.Endpoint.Gate.SetResult();
        while (kit.Flights.IsRefreshing(session.Id))
        {
            await Task.Yield();
        }

        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.GetUserTokenAsync(session.Id));
        Assert.Equal(1, kit.Endpoint.Calls);
    }

    // A token that no longer works waits for its renewal, however long the provider takes.
    [Fact]
    public async Task An_expired_token_waits_for_its_renewal()
    {
        using var kit = new TokenTestKit();
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Gate = new TaskCompletionSource();

        var call = kit.GetUserTokenAsync(session.Id);
        await kit.Endpoint.Arrived.Task;
        kit.Time.Advance(UserAccessTokenService.EarlyRenewalWait * 3);
        Assert.False(call.IsCompleted);

        kit.Endpoint.Gate.SetResult();
        Assert.Equal(AccessTokenResult.Success("at-1"), await call);
    }

    // Issue: the lease renewal stopped once the provider had answered, before the new id_token's keys were read again
    // and the tokens written: a slow key read let the lease run out and another instance spend the same refresh token.
    [Fact]
    public async Task The_lock_is_kept_while_a_refreshed_id_token_waits_for_the_providers_keys()
    {
        using var kit = new TokenTestKit();
        kit.Discovery.Keys = [OldKey];
        var session = await kit.SignInWithDueTokenAsync(Lifetime);
        kit.Endpoint.Answers.Enqueue(Answer("at-1", "rt-1", kit.IdToken(OldKey)));
        Assert.Equal(AccessTokenResult.Success("at-1"), await kit.GetUserTokenAsync(session.Id));

        // Due again, past the keys' re-read floor; the provider has rotated to a key not read yet, and reading it is slow.
        kit.Time.Advance(TimeSpan.FromSeconds(60));
        kit.Endpoint.Answers.Enqueue(Answer("at-2", "rt-2", kit.IdToken(NewKey)));
        kit.Discovery.Keys = [OldKey, NewKey];
        kit.Discovery.Gate = new TaskCompletionSource();
        var refresh = kit.GetUserTokenAsync(session.Id);
        await kit.Discovery.Held.Task;

        // Each tick fires the renewal timer; the in-process lock renews synchronously, so a yield lets it finish (a lock
        // that renewed asynchronously would need the test to wait for each renewal).
        for (var i = 0; i < 6; i++)
        {
            kit.Time.Advance(RefreshSingleFlight.LockLease / 2);
            await Task.Yield();
        }

        Assert.Null(await kit.Locks.TryAcquireAsync("refresh:" + session.Id, TimeSpan.FromSeconds(5), CancellationToken.None));

        kit.Discovery.Gate.SetResult();
        Assert.Equal(AccessTokenResult.Success("at-2"), await refresh);
        Assert.Equal("rt-2", (await kit.StoredTokensAsync(session.Id))!.RefreshToken);
    }

    /// <summary>A successful refresh answer; no <c>refresh_token</c> when <paramref name="refreshToken"/> is null (no rotation).</summary>
    private static (HttpStatusCode Status, string Body) Answer(string accessToken, string? refreshToken, string idToken)
    {
        var body = new Dictionary<string, object> { ["access_token"] = accessToken, ["token_type"] = "Bearer", ["expires_in"] = 60, ["id_token"] = idToken };
        if (refreshToken is not null)
        {
            body["refresh_token"] = refreshToken;
        }

        return (HttpStatusCode.OK, JsonSerializer.Serialize(body));
    }
}
