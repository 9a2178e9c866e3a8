using Microsoft.Data.Sqlite;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Index;

public sealed partial class StorageIndex
{
    // Names are ASCII ([a-zA-Z0-9_.-]); U+FFFF encodes as EF BF BF, above every ASCII byte, so "prefix + U+FFFF"
    // bounds a BEGINS_WITH range for the name index.
    private const string NameRangeEnd = "\uFFFF";

    /// <summary>A value from the meta table, or null if the key was never set.</summary>
    public long? GetMeta(string key)
    {
        using var lease = RentReader();
        return ReadMeta(lease.Connection, key);
    }

    /// <summary>Sets a value in the meta table (its own transaction; to set it with a commit, pass it to <see cref="Commit"/>).</summary>
    /// <remarks>
    /// Keys the index keeps for itself: schema_version, coverage_tolerance_ms, max_duration_ms, max_fragment_number,
    /// max_stream_id. Use other names (e.g. prefixed "store.").
    /// </remarks>
    public void SetMeta(string key, long value)
    {
        lock (_writeLock)
        {
            WriteMeta(Writer(), key, value);
        }
    }

    /// <summary>Inserts the stream or replaces the row with its id (tags included).</summary>
    /// <remarks>Also raises the persisted high-water mark of stream ids, so <see cref="MaxStreamId"/> never goes back.</remarks>
    public void PutStream(StreamRecord stream)
    {
        lock (_writeLock)
        {
            var writer = Writer();
            using var tx = writer.Begin(write: true);
            writer.Command(Statement.PutStream)
                .Bind("$id", stream.Id)
                .Bind("$name", stream.Name)
                .Bind("$arn", stream.Arn)
                .Bind("$device", stream.DeviceName)
                .Bind("$media", stream.MediaType)
                .Bind("$kms", stream.KmsKeyId)
                .Bind("$retention", stream.DataRetentionInHours)
                .Bind("$version", stream.Version)
                .Bind("$created", stream.CreationTime.ToUnixTimeMilliseconds())
                .Bind("$status", (int)stream.Status)
                .Bind("$tags", TagsCodec.Encode(stream.Tags))
                .ExecuteNonQuery();
            RaiseMeta(writer, MetaKeys.MaxStreamId, stream.Id);
            tx.Commit();
        }
    }

    /// <summary>The stream with this internal id, or null.</summary>
    public StreamRecord? GetStream(long id) => FindStream(Statement.GetStream, "$id", id);

    /// <summary>The stream with this name, or null.</summary>
    public StreamRecord? FindStreamByName(string name) => FindStream(Statement.FindStreamByName, "$name", name);

    /// <summary>The stream with this ARN, or null.</summary>
    public StreamRecord? FindStreamByArn(string arn) => FindStream(Statement.FindStreamByArn, "$arn", arn);

    /// <summary>Streams in name order (ordinal), optionally those whose name starts with a prefix, after a name.</summary>
    /// <param name="namePrefix">Only names that begin with this, or null for all.</param>
    /// <param name="afterName">Only names ordinally greater than this (the last name of the previous page), or null.</param>
    /// <param name="limit">At most this many (≥ 1).</param>
    public IReadOnlyList<StreamRecord> ListStreams(string? namePrefix, string? afterName, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var lease = RentReader();
        var command = lease.Connection.Command(Statement.ListStreams)
            .Bind("$after", afterName ?? "")
            .Bind("$lo", namePrefix ?? "")
            .Bind("$hi", (namePrefix ?? "") + NameRangeEnd)
            .Bind("$limit", limit);
        var streams = new List<StreamRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            streams.Add(ReadStream(reader));
        }

        return streams;
    }

    /// <summary>Removes the stream's row, its fragments' rows and its coverage. Does nothing if it is not there.</summary>
    public void RemoveStream(long id)
    {
        lock (_writeLock)
        {
            var writer = Writer();
            using var tx = writer.Begin(write: true);
            writer.Command(Statement.DeleteStreamFragments).Bind("$id", id).ExecuteNonQuery();
            writer.Command(Statement.DeleteStreamCoverage).Bind("$id", id).ExecuteNonQuery();
            writer.Command(Statement.DeleteStream).Bind("$id", id).ExecuteNonQuery();
            tx.Commit();
        }
    }

    /// <summary>
    /// Raises the high-water mark of stream ids to at least <paramref name="id"/> (a deleted stream's id, found in the
    /// control log): ids are never given out again, or a new stream would inherit a deleted one's fragments.
    /// </summary>
    public void RaiseMaxStreamId(long id)
    {
        lock (_writeLock)
        {
            var writer = Writer();
            using var tx = writer.Begin(write: true);
            RaiseMeta(writer, MetaKeys.MaxStreamId, id);
            tx.Commit();
        }
    }

    /// <summary>The highest stream id ever stored here (including removed streams), or 0.</summary>
    public long MaxStreamId()
    {
        using var lease = RentReader();
        var rows = lease.Connection.Command(Statement.MaxStreamId).ScalarInt64() ?? 0;
        return Math.Max(rows, ReadMeta(lease.Connection, MetaKeys.MaxStreamId) ?? 0);
    }

    private StreamRecord? FindStream(Statement statement, string parameter, object value)
    {
        using var lease = RentReader();
        using var reader = lease.Connection.Command(statement).Bind(parameter, value).ExecuteReader();
        return reader.Read() ? ReadStream(reader) : null;
    }

    private static StreamRecord ReadStream(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Name = reader.GetString(1),
        Arn = reader.GetString(2),
        DeviceName = reader.GetNullableString(3),
        MediaType = reader.GetNullableString(4),
        KmsKeyId = reader.GetString(5),
        DataRetentionInHours = reader.GetInt32(6),
        Version = reader.GetString(7),
        CreationTime = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
        Status = (StreamStatus)reader.GetInt32(9),
        Tags = TagsCodec.Decode(reader.GetString(10)),
    };
}
