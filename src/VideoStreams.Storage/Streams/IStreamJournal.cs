namespace VideoStreams.Storage.Streams;

/// <summary>
/// Where <see cref="StreamCatalog"/> makes each stream change durable BEFORE it updates the index. The store
/// implements it as a small synced control log, so the whole index (streams, and which fragments belong to deleted
/// streams) can be rebuilt from files; the index itself is not synced per transaction.
/// </summary>
/// <remarks>
/// Calls come one at a time (the catalog serialises changes) and in the order the changes happen. A call that
/// returns has made the change durable; one that throws <see cref="IOException"/> has not, and the catalog reports
/// <see cref="StorageError.IOError"/> without touching the index. Replaying the journal in order into
/// <see cref="Index.StorageIndex.PutStream"/> / <see cref="Index.StorageIndex.RemoveStream"/> rebuilds the catalog.
/// </remarks>
public interface IStreamJournal
{
    /// <summary>A stream was created or changed (metadata, retention, tags, or marked <see cref="StreamStatus.Deleting"/>).</summary>
    /// <param name="stream">Its complete new state.</param>
    void Write(StreamRecord stream);

    /// <summary>A stream is gone: its rows leave the index next, and its fragments' bytes are garbage from now on.</summary>
    /// <param name="streamId">Its internal id (never reused).</param>
    void WriteDeleted(long streamId);
}
