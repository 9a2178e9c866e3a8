namespace VideoStreams.Storage.Index;

/// <summary>
/// Every statement the index runs. Each connection prepares a statement once, on first use, and reuses it with
/// re-bound parameters. Statements that exist per clock come in pairs (producer, then server) so that
/// <see cref="Statements.For"/> picks one by <see cref="Fragments.TimestampKind"/>.
/// </summary>
internal enum Statement
{
    GetMeta,
    SetMeta,
    RaiseMeta,

    PutStream,
    GetStream,
    FindStreamByName,
    FindStreamByArn,
    ListStreams,
    MaxStreamId,
    DeleteStreamFragments,
    DeleteStreamCoverage,
    DeleteStream,

    PutChunk,
    ListChunks,
    ListChunksOfClass,
    ChunkIndexedEnd,
    ChunkFragments,
    DeleteChunkFragments,
    DeleteChunk,

    InsertFragment,
    GetFragment,
    MaxFragmentNumber,
    CountAll,
    CountStream,
    ListAfterNumber,

    PageAscProducer,
    PageAscServer,
    PageDescProducer,
    PageDescServer,
    FirstProducer,
    FirstServer,
    LastProducer,
    LastServer,
    ContainingProducer,
    ContainingServer,
    StartingAfterProducer,
    StartingAfterServer,
    IntervalsProducer,
    IntervalsServer,

    CoverageAtOrBefore,
    CoverageUpdateEnd,
    CoverageDeleteRange,
    CoverageInsert,
    CoverageInRange,
    CoverageAll,

    StreamFragmentsBefore,
    DeleteFragment,
    EmptyChunks,
}
