using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace Bff.Tests.Endpoints;

/// <summary>
/// A request that ends sessions and is then abandoned (the browser drops its sign-out, the provider times out
/// its back-channel call) still ends every session it started on, and every observer hears of each.
/// </summary>
public sealed class AbandonedRequestTests
{
    [Fact]
    public async Task Sign_out_everywhere_ends_and_reports_every_session_after_the_browser_has_gone()
    {
        var observer = new GatedObserver();
        await using var bff = await InProcessBff.StartAsync(services: s => s.AddSingleton<ISessionEndObserver>(observer));
        var cookie = await bff.SignInAsync("alice");
        await bff.SignInAsync("alice");
        await bff.SignInAsync("alice");

        using var abandon = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/bff/sessions");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add("X-CSRF", "1");
        var signOut = bff.Client().SendAsync(request, abandon.Token);

        // The first session is taken from the store and being reported when the browser goes away (the test
        // server aborts the request at once, and answers the client when the pipeline is done).
        await observer.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await abandon.CancelAsync();
        observer.Release.SetResult();
        await Record.ExceptionAsync(() => signOut);

        await observer.Heard(3).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(await bff.Services.GetRequiredService<ISessionStore>().GetBySubjectAsync("alice", default));
        Assert.All(observer.Ended, reason => Assert.Equal(SessionEndReason.SignOutEverywhere, reason));
        var audited = await bff.Services.GetRequiredService<IAuditTrail>().GetRecentAsync("alice", default);
        Assert.Equal(3, audited.Count(e => e.Kind == AuditEventKinds.Ended));
    }

    /// <summary>
    /// Holds the first end until released, then honours its token the way a store write does (a Redis command
    /// checks it first): a cancelled token given to it means a session ended unreported.
    /// </summary>
    private sealed class GatedObserver : ISessionEndObserver
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected = int.MaxValue;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<SessionEndReason> Ended { get; } = new();

        public Task Heard(int count)
        {
            Volatile.Write(ref _expected, count);
            if (Ended.Count >= count)
            {
                _all.TrySetResult();
            }

            return _all.Task;
        }

        public async Task OnSessionEndedAsync(SessionRecord session, SessionEndReason reason, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task;
            cancellationToken.ThrowIfCancellationRequested();
            Ended.Enqueue(reason);
            if (Ended.Count >= Volatile.Read(ref _expected))
            {
                _all.TrySetResult();
            }
        }
    }
}
