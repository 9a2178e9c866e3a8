using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Index;

/// <summary>
/// Seeded random fragments shaped like real ones and like the awkward ones: tiling exactly, a few ms off, gaps near
/// the coverage tolerance, long gaps, duplicate producer timestamps, overlaps, zero durations, and fragments that
/// arrive out of time order (back-fill).
/// </summary>
internal sealed class FragmentScenario
{
    public const long Epoch = 1_700_000_000_000;

    private readonly Random _rng;
    private readonly Dictionary<long, (long Producer, long Server, int Duration)> _heads = [];
    private int _leftInChunk;

    public FragmentScenario(int seed)
    {
        _rng = new Random(seed);
        NewChunk();
    }

    public Random Random => _rng;

    public long NextNumber { get; private set; } = 1_000;

    public long ChunkId { get; private set; }

    public HashSet<long> ChunkIds { get; } = [];

    public static StreamRecord Stream(long id, string? name = null) => new()
    {
        Id = id,
        Name = name ?? $"stream-{id}",
        Arn = $"arn:aws:kinesisvideo:us-east-1:123456789012:stream/{name ?? $"stream-{id}"}/{1_700_000_000_000 + id}",
        KmsKeyId = "aws/kinesisvideo",
        DataRetentionInHours = 24,
        Version = $"v{id}",
        CreationTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + id),
    };

    /// <summary>The next fragment of a stream, after its previous one in time (by a random step).</summary>
    public FragmentEntry Next(long stream)
    {
        var duration = Duration();
        FragmentEntry fragment;
        if (_heads.TryGetValue(stream, out var head))
        {
            fragment = Make(stream, head.Producer + head.Duration + Step(head.Duration), head.Server + head.Duration + Step(head.Duration), duration);
        }
        else
        {
            fragment = Make(stream, Epoch + _rng.Next(0, 5_000), Epoch + 3_600_000 + _rng.Next(0, 5_000), duration);
        }

        _heads[stream] = (fragment.ProducerTimestampMs, fragment.ServerTimestampMs, duration);
        return fragment;
    }

    /// <summary>A fragment placed anywhere in [lo, hi] on both clocks: late arrivals fill (or split) gaps.</summary>
    public FragmentEntry Backfill(long stream, long producerLo, long producerHi, long serverLo, long serverHi) =>
        Make(stream, _rng.NextInt64(producerLo, producerHi + 1), _rng.NextInt64(serverLo, serverHi + 1), Duration());

    public ChunkEntry Chunk(long id) => new(id, "c24", 4096 + id, Epoch + id, Sealed: id != ChunkId);

    private FragmentEntry Make(long stream, long producer, long server, int duration)
    {
        if (--_leftInChunk <= 0)
        {
            NewChunk();
        }

        var number = NextNumber;
        NextNumber += 1 + _rng.Next(0, 3); // numbers are increasing, not dense
        return new FragmentEntry(number, stream, producer, server, duration, _rng.Next(1, 2_000_000), ChunkId,
            _rng.NextInt64(0, 1L << 30), _rng.Next(100, 2_000_100), (FragmentFlags)_rng.Next(0, 8));
    }

    private void NewChunk()
    {
        ChunkId++;
        ChunkIds.Add(ChunkId);
        _leftInChunk = _rng.Next(20, 60);
    }

    private int Duration()
    {
        var r = _rng.Next(100);
        return r < 70 ? 1_000 : r < 80 ? 0 : _rng.Next(1, 3_000);
    }

    private long Step(int previousDuration)
    {
        var r = _rng.Next(100);
        return r switch
        {
            < 50 => 0,
            < 60 => _rng.Next(-10, 11),
            < 70 => _rng.Next(30, 71),
            < 78 => _rng.Next(100, 8_000),
            < 84 => -previousDuration,
            < 90 => -_rng.Next(200, 3_000),
            _ => _rng.Next(1, 200),
        };
    }
}
