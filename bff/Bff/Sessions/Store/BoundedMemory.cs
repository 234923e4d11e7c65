using System.Diagnostics.CodeAnalysis;

namespace Bff.Sessions.Store;

/// <summary>
/// Values worked out once and remembered for the per-request path (a decrypted cookie, a key's hash), at most
/// <paramref name="capacity"/> of them: past it the memory starts over, so it stays bounded whatever arrives.
/// Only for values that are a pure function of their key; nothing here is ever stale, only forgotten.
/// </summary>
internal sealed class BoundedMemory<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _values = new(comparer);

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value) => _values.TryGetValue(key, out value);

    public TValue Remember(TKey key, TValue value)
    {
        // Count locks the whole dictionary: it is read only here, on a miss.
        if (_values.Count >= capacity)
        {
            _values.Clear();
        }

        return _values[key] = value;
    }

    public void Forget(TKey key) => _values.TryRemove(key, out _);
}
