using Bff.Configuration;

namespace Bff.Sessions.Audit;

/// <summary>
/// The audit trail in this process's memory: a capped list per user, none older than
/// <c>Bff:Session:AuditRetention</c>, and at most <see cref="MaxUsers"/> users (the ones least recently written to
/// are forgotten first).
/// </summary>
internal sealed class InMemoryAuditTrail(IOptions<BffOptions> options, TimeProvider time) : IAuditTrail
{
    public const int MaxUsers = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<UserEvents>> _byUser = new(StringComparer.Ordinal);
    private readonly LinkedList<UserEvents> _recency = new();

    private int PerUser => options.Value.Session.AuditEventsPerUser;

    private DateTimeOffset OldestKept => time.GetUtcNow() - options.Value.Session.AuditRetention;

    public Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_byUser.TryGetValue(auditEvent.Subject, out var node))
            {
                _recency.Remove(node);
            }
            else
            {
                node = new LinkedListNode<UserEvents>(new UserEvents(auditEvent.Subject));
                _byUser[auditEvent.Subject] = node;
            }

            _recency.AddFirst(node);
            var events = node.Value.Events;
            events.Enqueue(auditEvent);
            var oldestKept = OldestKept;
            while (events.TryPeek(out var first) && (events.Count > PerUser || first.At < oldestKept))
            {
                events.Dequeue();
            }

            while (_byUser.Count > MaxUsers && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _byUser.Remove(oldest.Value.Subject);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEvent>> GetRecentAsync(string subject, CancellationToken cancellationToken)
    {
        var oldestKept = OldestKept;
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<AuditEvent>>(
                _byUser.TryGetValue(subject, out var node) ? [.. node.Value.Events.Reverse().Where(e => e.At >= oldestKept)] : []);
        }
    }

    private sealed record UserEvents(string Subject)
    {
        public Queue<AuditEvent> Events { get; } = new();
    }
}
