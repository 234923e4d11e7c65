using System.Threading.Channels;
using Bff.Sessions.Store;

namespace Bff.Sessions.Lifecycle;

/// <summary>
/// Sessions a store dropped on its own because they expired (a sweep), waiting to be reported through
/// <see cref="SessionTerminator"/> so their end is audited with its reason and their refresh token revoked.
/// Bounded: when full, <see cref="TryPublish"/> refuses, and the store keeps that session for a later sweep
/// (a session dropped unreported would end with no reason, no audit and its refresh token unrevoked).
/// </summary>
internal sealed class SessionExpiryQueue
{
    /// <summary>How many expired sessions may wait to be reported.</summary>
    public const int Capacity = 10_000;

    private readonly Channel<SessionRecord> _channel = Channel.CreateBounded<SessionRecord>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    /// <summary>Queues an expired session for its report; false when the queue is full (nothing queued).</summary>
    public bool TryPublish(SessionRecord expired) => _channel.Writer.TryWrite(expired);

    public ChannelReader<SessionRecord> Reader => _channel.Reader;
}
