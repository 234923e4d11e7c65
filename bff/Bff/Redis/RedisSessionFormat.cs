using System.Globalization;
using System.Text;
using Bff.Sessions;

namespace Bff.Redis;

/// <summary>
/// How a <see cref="SessionRecord"/> is laid out in its Redis hash. Four fields: <c>m</c>, the facts that never
/// change, in a compact versioned binary form; <c>t</c>, the ticket exactly as Data Protection encrypted it;
/// <c>a</c> and <c>e</c>, last activity and expiry as UTC ticks, so activity is recorded without rewriting the
/// rest. The storage id is the key, not a field. Nothing here is a token in clear.
/// </summary>
internal static class RedisSessionFormat
{
    public const string MetaField = "m";
    public const string TicketField = "t";
    public const string LastActivityField = "a";
    public const string ExpiresField = "e";

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

    /// <summary>The record from its four fields; <see cref="FormatException"/> when they are not this format.</summary>
    public static SessionRecord Read(string storageId, byte[] meta, byte[] ticket, string lastActivity, string expires)
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
                LastActivityAt = ReadInstant(long.Parse(lastActivity, NumberStyles.None, CultureInfo.InvariantCulture)),
                ExpiresAt = ReadInstant(long.Parse(expires, NumberStyles.None, CultureInfo.InvariantCulture)),
                Ticket = ticket,
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
