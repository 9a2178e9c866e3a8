using System.Buffers;
using System.Collections.Concurrent;
using VideoStreams.Media;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>An fMP4 init segment (ftyp + moov) for one session header, and what the master playlist says of it.</summary>
internal sealed record HlsInit(byte[] Bytes, string Codecs, int Width, int Height);

/// <summary>One packaged fragment: its init and its moof + mdat.</summary>
internal readonly record struct HlsPackage(HlsInit Init, byte[] Segment);

/// <summary>
/// Repackages one stored fragment as fMP4 with the Media library: the fragment's session header (Info + Tracks, from
/// its tag) and its stored cluster go through a <see cref="MatroskaReader"/> into a <see cref="CmafSegmenter"/> whose
/// target is longer than any fragment, so exactly one moof + mdat comes out. The frames are rebased so the first sits
/// at the fragment's selected timestamp: consecutive fragments of a session then have continuous decode times.
/// Inits are cached per session header (every fragment of a PutMedia session carries the same).
/// </summary>
internal sealed class HlsPackager(FragmentStore store)
{
    private const int MaxCachedInits = 256;
    private const int MaxCachedHeaders = 200_000;

    private static readonly CmafSegmenterOptions BaseOptions = new() { TargetSegmentDuration = TimeSpan.FromHours(1), MaxAudioWait = TimeSpan.FromHours(1) };

    private readonly ConcurrentDictionary<string, HlsInit> _inits = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _headerIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, int> _fragmentHeaders = new();

    // Recently packaged segments: many viewers of one session ask for the same fragment at about the same time, and
    // the one who comes first packages it for all (Lazy). First in, first out, up to MaxCachedSegmentBytes.
    private const long MaxCachedSegmentBytes = 128L << 20;
    private readonly ConcurrentDictionary<(long Number, long SelectedMs, uint Sequence), Lazy<StorageResult<HlsPackage>>> _segments = new();
    private readonly ConcurrentQueue<((long, long, uint) Key, long Bytes)> _segmentOrder = new();
    private long _cachedSegmentBytes;

    /// <summary>
    /// A small number naming the fragment's session header, equal for fragments with the same header; -1 when the
    /// fragment cannot be read or has none. Reads the fragment the first time (the index does not hold tags).
    /// </summary>
    public int HeaderOf(in FragmentEntry entry)
    {
        if (_fragmentHeaders.TryGetValue(entry.Number, out var id))
        {
            return id;
        }

        id = -1;
        if (TryRead(entry) is { } fragment && HeaderText(fragment) is { } text)
        {
            id = HeaderId(text);
        }

        Remember(entry.Number, id);
        return id;
    }

    /// <summary>The init for this fragment's header (packaging the fragment when the header is new).</summary>
    public StorageResult<HlsInit> Init(in FragmentEntry entry, long selectedMs)
    {
        var read = Read(entry);
        if (!read.IsSuccess)
        {
            return StorageResult<HlsInit>.Fail(read.Error, read.Message ?? "");
        }

        var text = HeaderText(read.Value!);
        if (text is not null && _inits.TryGetValue(text, out var init))
        {
            return StorageResult<HlsInit>.Ok(init);
        }

        var package = Package(read.Value!, selectedMs, 1);
        return package.IsSuccess ? StorageResult<HlsInit>.Ok(package.Value.Init) : StorageResult<HlsInit>.Fail(package.Error, package.Message ?? "");
    }

    /// <summary>The fragment's moof + mdat, rebased to <paramref name="selectedMs"/>, numbered <paramref name="sequence"/>.</summary>
    public StorageResult<HlsPackage> Segment(in FragmentEntry entry, long selectedMs, uint sequence)
    {
        var key = (entry.Number, selectedMs, sequence);
        var copy = entry;
        var lazy = _segments.GetOrAdd(key, _ => new Lazy<StorageResult<HlsPackage>>(() => PackageStored(copy, selectedMs, sequence)));
        try
        {
            var result = lazy.Value;
            if (!result.IsSuccess)
            {
                Forget(key, lazy);
            }

            return result;
        }
        catch
        {
            Forget(key, lazy);
            throw;
        }
    }

    private void Forget((long, long, uint) key, Lazy<StorageResult<HlsPackage>> lazy) =>
        _segments.TryRemove(new KeyValuePair<(long, long, uint), Lazy<StorageResult<HlsPackage>>>(key, lazy));

    private StorageResult<HlsPackage> PackageStored(in FragmentEntry entry, long selectedMs, uint sequence)
    {
        var read = Read(entry);
        var result = read.IsSuccess ? Package(read.Value!, selectedMs, sequence) : StorageResult<HlsPackage>.Fail(read.Error, read.Message ?? "");
        if (result.IsSuccess)
        {
            var bytes = result.Value.Segment.Length;
            _segmentOrder.Enqueue(((entry.Number, selectedMs, sequence), bytes));
            Interlocked.Add(ref _cachedSegmentBytes, bytes);
            while (Interlocked.Read(ref _cachedSegmentBytes) > MaxCachedSegmentBytes && _segmentOrder.TryDequeue(out var oldest))
            {
                _segments.TryRemove(oldest.Key, out _);
                Interlocked.Add(ref _cachedSegmentBytes, -oldest.Bytes);
            }
        }

        return result;
    }

    private StorageResult<HlsPackage> Package(StoredFragment fragment, long selectedMs, uint sequence)
    {
        var text = HeaderText(fragment);
        if (text is null || SessionHeader.Decode(text) is not { } header)
        {
            return StorageResult<HlsPackage>.Fail(StorageError.InvalidArgument, "The fragment carries no codec private data (no session header was stored with it).");
        }

        Remember(fragment.Entry.Number, HeaderId(text));
        if (!ClusterTimestamp.TryRead(fragment.Media, out var clusterTicks))
        {
            return StorageResult<HlsPackage>.Fail(StorageError.InvalidArgument, "The stored fragment does not start with a Matroska Cluster and its Timestamp.");
        }

        // Matroska ticks are TimestampScale ns (1 ms for every KVS producer); 128-bit for epoch times at small scales.
        var scale = Math.Max(header.Info.TimestampScale, 1UL);
        var targetTicks = (long)((Int128)selectedMs * 1_000_000 / scale);
        var headerLength = (text.Length * 3 / 4) + 3;
        var buffer = ArrayPool<byte>.Shared.Rent(headerLength + fragment.Media.Length);
        try
        {
            if (!Convert.TryFromBase64String(text, buffer, out var written))
            {
                return StorageResult<HlsPackage>.Fail(StorageError.InvalidArgument, "The fragment's session header is not valid.");
            }

            fragment.Media.CopyTo(buffer.AsSpan(written));
            var sink = new Sink(_inits.TryGetValue(text, out var cached) ? cached : null);
            using (var segmenter = new CmafSegmenter(sink, BaseOptions with { TimestampOffset = targetTicks - clusterTicks, FirstSequenceNumber = sequence }))
            {
                new MatroskaReader().ReadAll(buffer.AsMemory(0, written + fragment.Media.Length), segmenter.Handle);
                segmenter.Complete();
            }

            if (sink.Init is not { } init || sink.Output.WrittenCount == 0)
            {
                return StorageResult<HlsPackage>.Fail(StorageError.InvalidArgument, "The fragment holds no H.264 or AAC frame to package.");
            }

            if (_inits.Count >= MaxCachedInits)
            {
                _inits.Clear();
            }

            _inits.TryAdd(text, init);
            return StorageResult<HlsPackage>.Ok(new HlsPackage(init, sink.Output.WrittenSpan.ToArray()));
        }
        catch (MediaFormatException e)
        {
            return StorageResult<HlsPackage>.Fail(StorageError.InvalidArgument, $"The stored fragment cannot be repackaged: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private StorageResult<StoredFragment> Read(in FragmentEntry entry)
    {
        try
        {
            return store.Read(entry);
        }
        catch (CorruptSegmentException e)
        {
            // Damaged media is never served.
            return StorageResult<StoredFragment>.Fail(StorageError.IOError, $"Fragment {FragmentNumber.Format(entry.Number)} is damaged: {e.Message}");
        }
    }

    private StoredFragment? TryRead(in FragmentEntry entry)
    {
        var read = Read(entry);
        return read.IsSuccess ? read.Value : null;
    }

    private static string? HeaderText(StoredFragment fragment)
    {
        foreach (var (name, value) in fragment.Tags)
        {
            if (name == SessionHeader.TagName)
            {
                return value;
            }
        }

        return null;
    }

    private int HeaderId(string text)
    {
        if (_headerIds.Count >= MaxCachedHeaders)
        {
            _headerIds.Clear();
            _fragmentHeaders.Clear();
        }

        return _headerIds.GetOrAdd(text, static (_, ids) => ids.Count + 1, _headerIds);
    }

    private void Remember(long number, int id)
    {
        if (_fragmentHeaders.Count >= MaxCachedHeaders)
        {
            _fragmentHeaders.Clear();
        }

        _fragmentHeaders[number] = id;
    }

    /// <summary>Keeps the first init (unless cached already) and every moof + mdat, back to back.</summary>
    private sealed class Sink(HlsInit? known) : ICmafSegmentSink
    {
        public HlsInit? Init { get; private set; } = known;

        public ArrayBufferWriter<byte> Output { get; } = new(64 * 1024);

        public void OnInitSegment(in CmafInitSegment init) =>
            Init ??= new HlsInit(init.Bytes.ToArray(), init.Codecs, init.Width, init.Height);

        public void OnMediaSegment(in CmafMediaSegment segment) => Output.Write(segment.Bytes.Span);
    }
}
