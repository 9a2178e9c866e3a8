namespace VideoStreams.Storage.Retention;

/// <summary>What one retention pass did.</summary>
/// <param name="ExpiredFragments">Index rows of fragments past their stream's retention removed (now unreadable).</param>
/// <param name="ExpiredChunks">Chunk files deleted because nothing in them was still kept.</param>
/// <param name="ExpiredBytes">Their size.</param>
/// <param name="EvictedChunks">Chunk files deleted, oldest first, to bring free space back above the high watermark.</param>
/// <param name="EvictedBytes">Their size.</param>
/// <param name="SealedCurrentChunks">True when the pass sealed the logs' current chunks so their data could go.</param>
/// <param name="FreeBytes">Free space on the data folder's disk when the pass ended.</param>
public sealed record RetentionReport(
    long ExpiredFragments,
    int ExpiredChunks,
    long ExpiredBytes,
    int EvictedChunks,
    long EvictedBytes,
    bool SealedCurrentChunks,
    long FreeBytes);
