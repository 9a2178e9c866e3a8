using System.Collections.Concurrent;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback;

/// <summary>
/// Wakes GetMedia readers waiting at a stream's live edge when the store commits a fragment of that stream (the
/// store's <see cref="FragmentStore.FragmentCommitted"/> event: the fragment is PERSISTED and indexed, so a reader
/// woken here finds it with the index). This is the earliest moment a stored fragment can be served: the event is
/// raised on the commit thread right after the index transaction, before ingest's PERSISTED ack and the hub's
/// FragmentPersisted (which arrive through a thread-pool continuation). No timer, no polling: one completed task per
/// commit wakes every reader of the stream (<see cref="MediaFollower"/> also wakes on the hub's events).
/// </summary>
internal sealed class LiveEdge : IDisposable
{
    private readonly FragmentStore _store;
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();

    public LiveEdge(FragmentStore store)
    {
        _store = store;
        _store.FragmentCommitted += OnCommitted;
    }

    /// <summary>
    /// A task that completes at the stream's next commit. Take it before looking in the index, so a commit between
    /// the look and the wait is not missed.
    /// </summary>
    public Task NextCommit(long streamId) =>
        _waiters.GetOrAdd(streamId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void OnCommitted(FragmentEntry entry)
    {
        // Called on the store's commit thread: only hand the wake-up to the thread pool.
        if (_waiters.TryRemove(entry.StreamId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    public void Dispose() => _store.FragmentCommitted -= OnCommitted;
}
