using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using VideoStreams.Storage.Format;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Encryption;

/// <summary>What is known of one data key (never its bits).</summary>
/// <param name="KeyId">The id fragments name it by.</param>
/// <param name="StreamId">The stream (internal id) it belongs to.</param>
/// <param name="MasterKeyId">The master key that wraps it.</param>
/// <param name="Created">When it was started.</param>
/// <param name="Current">True when the stream's new fragments are sealed with it.</param>
public sealed record DataKeyInfo(uint KeyId, long StreamId, string MasterKeyId, DateTimeOffset Created, bool Current);

/// <summary>
/// AES-256-GCM sealing of fragment media with per-stream data keys. A stream gets a random data key with its first
/// fragment and a new one every rotation period (or on request); each key is wrapped by its stream's master key and
/// written, synced, to the control log before anything is sealed with it, so old data stays readable after rotation.
/// <para>
/// Nonces are unique by construction: a fragment's nonce is its fragment number (8 bytes, little-endian) followed by
/// four zero bytes. Fragment numbers never repeat in a store — not across restarts, not after a SIGKILL or a power
/// cut (each block of numbers is reserved in the synced control log before any of it is used) — and a failed append
/// never gives its number back, so no (key, nonce) pair is ever used twice, and there is no per-key record limit to
/// count (random nonces would need rotation before 2^32 records per key).
/// </para>
/// </summary>
internal sealed class DataKeyRing : IFragmentSealer, IDisposable
{
    public const int TagSize = 16;
    private const int NonceSize = 12;

    private readonly ConcurrentDictionary<uint, DataKey> _keys = new();
    private readonly Dictionary<long, uint> _current = [];
    private readonly HashSet<string> _mastersInUse = new(StringComparer.Ordinal);
    private readonly List<DataKeyRecord> _replayed = [];
    private readonly Dictionary<uint, DataKeyRecord> _wrapped = [];
    private readonly MasterKeyRing _masters;
    private readonly EncryptionOptions _options;
    private readonly Action<DataKeyRecord> _journal;
    private readonly Action _sync;
    private readonly ILogger _logger;
    private uint _lastKeyId;

    /// <param name="masters">Where master keys come from.</param>
    /// <param name="options">The rotation period.</param>
    /// <param name="journal">Appends a data key record to the control log (called under the append lock).</param>
    /// <param name="sync">Syncs the control log.</param>
    /// <param name="logger">Where key starts are logged.</param>
    public DataKeyRing(MasterKeyRing masters, EncryptionOptions options, Action<DataKeyRecord> journal, Action sync, ILogger logger)
    {
        _masters = masters;
        _options = options;
        _journal = journal;
        _sync = sync;
        _logger = logger;
    }

    public int Overhead => TagSize;

    /// <summary>Recovery: a data key record found in the control log (unwrapped later, by <see cref="Load"/>).</summary>
    public void Replayed(DataKeyRecord record)
    {
        _replayed.Add(record);
        _lastKeyId = Math.Max(_lastKeyId, record.KeyId);
        _mastersInUse.Add(record.MasterKeyId);
    }

    /// <summary>
    /// Recovery, after the control log: unwraps the data keys of the streams that exist and checks that every
    /// stream's master key is available.
    /// </summary>
    /// <exception cref="MasterKeyUnavailableException">A master key is missing, unreadable or not the one the data was written with.</exception>
    public void Load(IReadOnlyDictionary<long, StreamRecord> streams)
    {
        foreach (var record in _replayed.Where(r => streams.ContainsKey(r.StreamId)))
        {
            var master = _masters.Resolve(record.MasterKeyId, mayCreateDemoKey: false);
            byte[] key;
            try
            {
                key = record.Unwrap(master);
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new MasterKeyUnavailableException(record.MasterKeyId,
                    $"Master key '{record.MasterKeyId}' does not unwrap data key {record.KeyId} of stream {record.StreamId}: it is not the key the data was written with. Nothing was changed.");
            }

            _keys[record.KeyId] = new DataKey(record.KeyId, record.StreamId, record.CreatedMs, record.MasterKeyId, key);
            _wrapped[record.KeyId] = record;
            if (!_current.TryGetValue(record.StreamId, out var current) || current < record.KeyId)
            {
                _current[record.StreamId] = record.KeyId;
            }
        }

        _replayed.Clear();
        foreach (var stream in streams.Values)
        {
            _masters.Resolve(stream.KmsKeyId, mayCreateDemoKey: !_mastersInUse.Contains(stream.KmsKeyId));
        }
    }

    /// <exception cref="MasterKeyUnavailableException">The stream's master key is not available.</exception>
    public uint KeyFor(StreamRecord stream, long nowMs)
    {
        if (_current.TryGetValue(stream.Id, out var id) && _keys.TryGetValue(id, out var key))
        {
            if (nowMs - key.CreatedMs < (long)_options.RotationPeriod.TotalMilliseconds)
            {
                return id;
            }

            return Start(stream, nowMs, "the rotation period has passed", sync: true);
        }

        return Start(stream, nowMs, "its first sealed fragment", sync: true);
    }

    /// <summary>
    /// Gives a stream a data key if it has none, without syncing: the caller syncs the control log before the stream
    /// is used (stream creation, whose record is synced anyway).
    /// </summary>
    public void EnsureKey(StreamRecord stream, long nowMs)
    {
        if (!_current.ContainsKey(stream.Id))
        {
            try
            {
                Start(stream, nowMs, "the stream keeps data", sync: false);
            }
            catch (MasterKeyUnavailableException)
            {
                // Its first append tries again, and fails with KmsKeyUnavailable while the key stays missing.
            }
        }
    }

    /// <summary>The wrapped form of the keys of these streams, oldest first (for control-log compaction).</summary>
    public IEnumerable<DataKeyRecord> WrappedKeysOf(IReadOnlyDictionary<long, StreamRecord> streams) =>
        _wrapped.Values.Where(r => streams.ContainsKey(r.StreamId)).OrderBy(r => r.KeyId);

    /// <summary>Forgets a deleted stream's keys (their wrapped copies go with the next control-log compaction).</summary>
    public void Forget(long streamId)
    {
        foreach (var key in _keys.Values.Where(k => k.StreamId == streamId).ToList())
        {
            _keys.TryRemove(key.KeyId, out _);
            _wrapped.Remove(key.KeyId);
            key.Dispose();
        }

        _current.Remove(streamId);
    }

    public IReadOnlyList<DataKeyInfo> Keys() =>
        [.. _keys.Values.OrderBy(k => k.KeyId).Select(k => new DataKeyInfo(k.KeyId, k.StreamId, k.MasterKeyId,
            DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedMs), _current.GetValueOrDefault(k.StreamId) == k.KeyId))];

    public void Seal(uint keyId, long number, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plain, Span<byte> destination)
    {
        var key = _keys[keyId];
        Span<byte> nonce = stackalloc byte[NonceSize];
        Nonce(number, nonce);
        key.Sealer.Encrypt(nonce, plain, destination[..plain.Length], destination.Slice(plain.Length, TagSize), associatedData);
    }

    public void Open(long streamId, uint keyId, long number, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedMedia, Span<byte> destination)
    {
        if (keyId == 0)
        {
            throw new SealException(CorruptionKind.Unauthenticated, "the media is not sealed, in a store that seals everything");
        }

        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new SealException(CorruptionKind.KeyUnavailable, $"data key {keyId} is unknown");
        }

        if (key.StreamId != streamId)
        {
            throw new SealException(CorruptionKind.Unauthenticated, $"sealed with data key {keyId} of stream {key.StreamId}, not of stream {streamId}");
        }

        if (sealedMedia.Length != destination.Length + TagSize)
        {
            throw new SealException(CorruptionKind.Unauthenticated, "sealed media of the wrong length");
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        Nonce(number, nonce);
        using var gcm = new AesGcm(key.Bits, TagSize);
        try
        {
            gcm.Decrypt(nonce, sealedMedia[..destination.Length], sealedMedia[destination.Length..], destination, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SealException(CorruptionKind.Unauthenticated, "the media does not authenticate: it, its metadata or its header was altered, or the record was moved");
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }

    /// <summary>The nonce of fragment <paramref name="number"/>: the number, little-endian, then four zero bytes.</summary>
    public static void Nonce(long number, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, number);
        destination[8..NonceSize].Clear();
    }

    /// <summary>Starts a new data key for the stream's new data (old keys stay, for old data).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="nowMs">Its creation time.</param>
    /// <param name="reason">For the log.</param>
    /// <param name="sync">Sync the control log now; when false the caller must, before the key is used.</param>
    /// <exception cref="MasterKeyUnavailableException">The stream's master key is not available.</exception>
    public uint Start(StreamRecord stream, long nowMs, string reason, bool sync)
    {
        var master = _masters.Resolve(stream.KmsKeyId, mayCreateDemoKey: !_mastersInUse.Contains(stream.KmsKeyId));
        var keyId = _lastKeyId + 1;
        var bits = RandomNumberGenerator.GetBytes(MasterKeyRing.KeySize);
        var record = DataKeyRecord.Wrap(keyId, stream.Id, nowMs, stream.KmsKeyId, master, bits);
        _journal(record);
        _wrapped[keyId] = record;
        if (sync)
        {
            _sync();
        }

        _lastKeyId = keyId;
        _mastersInUse.Add(stream.KmsKeyId);
        _keys[keyId] = new DataKey(keyId, stream.Id, nowMs, stream.KmsKeyId, bits);
        _current[stream.Id] = keyId;
        EncryptionLog.DataKeyStarted(_logger, keyId, stream.Id, stream.KmsKeyId, reason);
        return keyId;
    }

    private sealed class DataKey(uint keyId, long streamId, long createdMs, string masterKeyId, byte[] bits) : IDisposable
    {
        private AesGcm? _sealer;

        public uint KeyId { get; } = keyId;

        public long StreamId { get; } = streamId;

        public long CreatedMs { get; } = createdMs;

        public string MasterKeyId { get; } = masterKeyId;

        public byte[] Bits { get; } = bits;

        /// <summary>The instance that seals (used under the append lock only; readers make their own).</summary>
        public AesGcm Sealer => _sealer ??= new AesGcm(Bits, TagSize);

        public void Dispose()
        {
            _sealer?.Dispose();
            CryptographicOperations.ZeroMemory(Bits);
        }
    }
}
