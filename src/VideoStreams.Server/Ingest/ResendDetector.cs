using System.Collections.Concurrent;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// Idempotent resends: a fragment with the producer timestamp and the bytes of one already stored is that fragment.
/// KVS deduplicates by producer timestamp; we also compare the content (the Cluster's size field aside: see
/// <see cref="ClusterBytes"/>), so a different fragment that happens to share a timestamp is still stored. The index is asked only when the timestamp is not newer than the newest one this
/// process stored for the stream (resends after a reconnect), so the steady state costs nothing.
/// </summary>
internal sealed class ResendDetector(FragmentStore store)
{
    private readonly ConcurrentDictionary<long, long> _newestProducerMs = new();

    public FragmentEntry? FindPersisted(long streamId, in NewFragment fragment)
    {
        if (_newestProducerMs.TryGetValue(streamId, out var newest) && fragment.ProducerTimestampMs > newest)
        {
            return null;
        }

        // The index holds committed fragments only; a resend of one the previous session appended but had not yet
        // committed is still found, because a takeover waits for the older session to settle (PutMediaSession.Settled).
        var page = store.Index.ListByTime(streamId, TimestampKind.Producer, fragment.ProducerTimestampMs, fragment.ProducerTimestampMs, 8);
        foreach (var entry in page.Fragments)
        {
            // A fragment first sent as captured (Cluster of unknown size) comes back with its size when resent: the
            // same fragment (ClusterBytes), a few bytes longer or shorter.
            if (Math.Abs(entry.Size - fragment.Media.Length) > ClusterBytes.MaxLengthDifference)
            {
                continue;
            }

            var stored = store.Read(entry);
            if (stored.IsSuccess && ClusterBytes.SameCluster(fragment.Media.Span, stored.Value!.Media))
            {
                return entry;
            }
        }

        return null;
    }

    public void Remember(long streamId, in NewFragment fragment)
    {
        var ms = fragment.ProducerTimestampMs;
        _newestProducerMs.AddOrUpdate(streamId, ms, (_, old) => Math.Max(old, ms));
    }
}
