using System.Threading.Channels;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// Sessions a store dropped on its own because they expired (a sweep, a TTL), waiting to be reported
/// through <see cref="SessionTerminator"/> so their end is audited with its reason. Bounded: when full,
/// the report is skipped (the session is gone either way).
/// </summary>
internal sealed class SessionExpiryQueue
{
    private readonly Channel<SessionRecord> _channel = Channel.CreateBounded<SessionRecord>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Publish(SessionRecord expired) => _channel.Writer.TryWrite(expired);

    public ChannelReader<SessionRecord> Reader => _channel.Reader;
}
