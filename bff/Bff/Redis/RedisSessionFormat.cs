using Bff.Sessions.Store;

namespace Bff.Redis;

/// <summary>
/// How a <see cref="SessionRecord"/> is laid out in its Redis hash. Five fields: <c>m</c>, the facts that never
/// change, in a compact versioned binary form; <c>t</c>, the ticket exactly as Data Protection encrypted it;
/// <c>a</c> and <c>e</c>, last activity and expiry as UTC ticks, so activity is recorded without rewriting the
/// rest; <c>s</c>, the ticket's stamp (decimal), rewritten with <c>t</c>, so a reader that holds the ticket
/// checks it is current without fetching it (a record written before stamps existed has none: stamp 0). The storage id is the key, not a field. Nothing here is a token in clear.
/// </summary>
internal static class RedisSessionFormat
{
    public const string MetaField = "m";
    public const string TicketField = "t";
    public const string LastActivityField = "a";
    public const string ExpiresField = "e";
    public const string StampField = "s";

    private const byte Version = 1;

    public static byte[] WriteMeta(SessionRecord session)
    {
        using var buffer = new MemoryStream(128);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(session.PublicId);
            writer.Write(session.Subject);
            WriteOptional(writer, session.ProviderSessionId);
            writer.Write(session.CreatedAt.UtcTicks);
            writer.Write(session.AbsoluteExpiresAt.UtcTicks);
            WriteOptional(writer, session.UserAgent);
            WriteOptional(writer, session.IpAddress);
        }

        return buffer.ToArray();
    }

    public static string WriteInstant(DateTimeOffset instant) => instant.UtcTicks.ToString(CultureInfo.InvariantCulture);

    public static string WriteStamp(long stamp) => stamp.ToString(CultureInfo.InvariantCulture);

    /// <summary>A stamp field as read (null when absent: 0); <see cref="FormatException"/> when it is not a stamp.</summary>
    public static long ReadStamp(string? stamp) =>
        stamp is null ? 0
        : long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new FormatException("malformed session stamp");

    /// <summary>An instant field as read; <see cref="FormatException"/> when it is not one.</summary>
    public static DateTimeOffset ReadInstant(string instant) =>
        long.TryParse(instant, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? ReadInstant(ticks)
            : throw new FormatException("malformed session instant");

    /// <summary>The record from its fields; <see cref="FormatException"/> when they are not this format.</summary>
    public static SessionRecord Read(string storageId, byte[] meta, byte[] ticket, string lastActivity, string expires, string? stamp)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(meta, writable: false), Encoding.UTF8);
            var version = reader.ReadByte();
            if (version != Version)
            {
                throw new FormatException($"unknown session format version {version}");
            }

            return new SessionRecord
            {
                Id = storageId,
                PublicId = reader.ReadString(),
                Subject = reader.ReadString(),
                ProviderSessionId = ReadOptional(reader),
                CreatedAt = ReadInstant(reader.ReadInt64()),
                AbsoluteExpiresAt = ReadInstant(reader.ReadInt64()),
                UserAgent = ReadOptional(reader),
                IpAddress = ReadOptional(reader),
                LastActivityAt = ReadInstant(lastActivity),
                ExpiresAt = ReadInstant(expires),
                Ticket = ticket,
                Stamp = ReadStamp(stamp),
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or ArgumentException or OverflowException)
        {
            throw new FormatException("truncated or malformed session fields", ex);
        }
    }

    private static DateTimeOffset ReadInstant(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
