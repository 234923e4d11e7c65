using Microsoft.Extensions.Hosting;

namespace Bff.Tests.Sessions;

public sealed class SessionExpiryWorkerTests : IDisposable
{
    private readonly SessionHarness _harness = new(options => options.Session.IdleTimeout = TimeSpan.FromMinutes(5));

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Sessions_swept_by_the_store_are_audited_as_idle_timeouts_and_counted()
    {
        var worker = _harness.Get<IEnumerable<IHostedService>>().OfType<SessionExpiryWorker>().Single();
        await _harness.SignInAsync("ada");
        await _harness.SignInAsync("ada");
        await worker.StartAsync(default);
        try
        {
            // The store sweeps once a minute; the worker reports what it swept.
            _harness.Time.Advance(TimeSpan.FromMinutes(6));

            var (events, _) = await Polling.UntilAsync(() => _harness.Trail.GetRecentAsync("ada", default),
                recent => recent.Count(e => e.Kind == AuditEventKinds.Ended) >= 2, TimeSpan.FromSeconds(10));

            Assert.Equal(2, events.Count(e => e.Kind == AuditEventKinds.Ended && e.Reason == nameof(SessionEndReason.IdleTimeout)));
            Assert.Equal(2, _harness.Get<SessionStatistics>().SignOuts);
            Assert.Equal(0, await _harness.Store.CountAsync(default));
        }
        finally
        {
            await worker.StopAsync(default);
        }
    }
}
