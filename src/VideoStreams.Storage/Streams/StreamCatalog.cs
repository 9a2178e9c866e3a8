using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using VideoStreams.Storage.Index;

namespace VideoStreams.Storage.Streams;

/// <summary>
/// The KVS control plane over the index: create, describe, list, update, update retention, delete, and tags, with
/// KVS's shape rules and optimistic <see cref="StreamRecord.Version"/> checks. Expected outcomes (not found, name
/// taken, version mismatch, bad argument) are <see cref="StorageResult{T}"/> failures, never exceptions.
/// </summary>
/// <remarks>
/// Changes are serialised by one lock (control-plane rates are tens per second) and each goes to the
/// <see cref="IStreamJournal"/> before the index, so the journal always holds at least what the index shows.
/// Reads (describe, list, tags) take no lock. Create the catalog after the journal has been replayed into the index,
/// so id allocation sees every id ever used.
/// </remarks>
public sealed partial class StreamCatalog
{
    /// <summary>The KMS key a stream gets when it is created without one.</summary>
    public const string DefaultKmsKeyId = "aws/kinesisvideo";

    private const string NotFoundMessage = "The requested stream is not found or not active.";
    private const string VersionAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly StorageIndex _index;
    private readonly IStreamJournal _journal;
    private readonly TimeProvider _time;
    private readonly StreamCatalogOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private long _lastId;
    private long _lastCreationMs;

    /// <summary>Creates the catalog over an open index.</summary>
    /// <param name="index">The index holding the streams.</param>
    /// <param name="journal">Where changes are made durable first.</param>
    /// <param name="timeProvider">The clock for creation times (default: the system clock).</param>
    /// <param name="options">Region and account for ARNs.</param>
    /// <param name="logger">Logs creations, deletions and retention changes.</param>
    public StreamCatalog(StorageIndex index, IStreamJournal journal, TimeProvider? timeProvider = null,
        StreamCatalogOptions? options = null, ILogger<StreamCatalog>? logger = null)
    {
        _index = index;
        _journal = journal;
        _time = timeProvider ?? TimeProvider.System;
        _options = options ?? new StreamCatalogOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _lastId = index.MaxStreamId();
    }

    /// <summary>CreateStream: a new ACTIVE stream (we create synchronously, so there is no CREATING phase).</summary>
    /// <param name="streamName">1–256 of [a-zA-Z0-9_.-], unique.</param>
    /// <param name="deviceName">Optional, 1–128 of [a-zA-Z0-9_.-].</param>
    /// <param name="mediaType">Optional, e.g. video/h264,audio/aac.</param>
    /// <param name="kmsKeyId">Optional; <see cref="DefaultKmsKeyId"/> when absent.</param>
    /// <param name="dataRetentionInHours">0 (the default: nothing persisted) or 1–87600.</param>
    /// <param name="tags">Optional, at most 50.</param>
    public StorageResult<StreamRecord> CreateStream(string streamName, string? deviceName = null, string? mediaType = null,
        string? kmsKeyId = null, int? dataRetentionInHours = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        var invalid = StreamValidation.StreamName(streamName)
            ?? (deviceName is null ? null : StreamValidation.DeviceName(deviceName))
            ?? (mediaType is null ? null : StreamValidation.MediaType(mediaType))
            ?? (kmsKeyId is null ? null : StreamValidation.KmsKeyId(kmsKeyId))
            ?? StreamValidation.Retention(dataRetentionInHours ?? 0);
        if (invalid is not null)
        {
            return Invalid(invalid);
        }

        if (tags is { Count: > StreamValidation.MaxTags })
        {
            return StorageResult<StreamRecord>.Fail(StorageError.TagsPerResourceExceededLimit,
                $"A stream can have at most {StreamValidation.MaxTags} tags; {tags.Count} were given.");
        }

        if (ValidateTags(tags) is { } badTag)
        {
            return Invalid(badTag);
        }

        if (_options.KmsKeyCheck?.Invoke(kmsKeyId ?? DefaultKmsKeyId) is { } keyProblem)
        {
            return Invalid(keyProblem);
        }

        lock (_gate)
        {
            if (_index.FindStreamByName(streamName) is not null)
            {
                return StorageResult<StreamRecord>.Fail(StorageError.ResourceInUse, $"The stream {streamName} already exists.");
            }

            // Creation times only move forward, so a name deleted and created again in the same millisecond still
            // gets a different ARN.
            var created = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastCreationMs + 1);
            var stream = new StreamRecord
            {
                Id = _lastId + 1,
                Name = streamName,
                Arn = string.Create(CultureInfo.InvariantCulture,
                    $"arn:aws:kinesisvideo:{_options.Region}:{_options.AccountId}:stream/{streamName}/{created}"),
                DeviceName = deviceName,
                MediaType = mediaType,
                KmsKeyId = kmsKeyId ?? DefaultKmsKeyId,
                DataRetentionInHours = dataRetentionInHours ?? 0,
                Version = NewVersion(),
                CreationTime = DateTimeOffset.FromUnixTimeMilliseconds(created),
                Status = StreamStatus.Active,
                Tags = tags is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(tags, StringComparer.Ordinal),
            };
            if (Apply(stream) is { } failed)
            {
                return failed;
            }

            _lastId = stream.Id;
            _lastCreationMs = created;
            Log.Created(_logger, stream.Name, stream.Id, stream.DataRetentionInHours);
            return stream;
        }
    }

    /// <summary>DescribeStream: the stream named by name or ARN.</summary>
    public StorageResult<StreamRecord> Describe(StreamRef stream) => Find(stream, StorageError.InvalidArgument);

    /// <summary>ListStreams: streams in name order, optionally those whose name begins with a prefix.</summary>
    /// <param name="maxResults">1–10000 (default 10000).</param>
    /// <param name="nextToken">The previous page's token, or null.</param>
    /// <param name="namePrefix">BEGINS_WITH comparison value (1–256 of [a-zA-Z0-9_.-]), or null.</param>
    public StorageResult<StreamListPage> List(int? maxResults = null, string? nextToken = null, string? namePrefix = null)
    {
        var limit = maxResults ?? 10_000;
        if (limit is < 1 or > 10_000)
        {
            return StorageResult<StreamListPage>.Fail(StorageError.InvalidArgument, $"MaxResults must be 1 to 10000; got {limit}.");
        }

        if (namePrefix is not null && StreamValidation.StreamName(namePrefix, "ComparisonValue") is { } badPrefix)
        {
            return StorageResult<StreamListPage>.Fail(StorageError.InvalidArgument, badPrefix);
        }

        string? after = null;
        if (!string.IsNullOrEmpty(nextToken) && !ListToken.TryDecode(nextToken, out after))
        {
            return StorageResult<StreamListPage>.Fail(StorageError.InvalidArgument, "NextToken is not a token this service issued.");
        }

        // One more than asked says whether to hand out a token: the last page carries none.
        var streams = _index.ListStreams(namePrefix, after, limit + 1);
        if (streams.Count <= limit)
        {
            return new StreamListPage(streams, null);
        }

        var page = streams.Take(limit).ToList();
        return new StreamListPage(page, ListToken.Encode(page[^1].Name));
    }

    private static string NewVersion() => RandomNumberGenerator.GetString(VersionAlphabet, 20);

    private static StorageResult<StreamRecord> Invalid(string message) =>
        StorageResult<StreamRecord>.Fail(StorageError.InvalidArgument, message);

    /// <summary>Journal first, then the index; a journal I/O failure is reported and leaves everything as it was.</summary>
    private StorageResult<StreamRecord>? Apply(StreamRecord stream)
    {
        try
        {
            _journal.Write(stream);
        }
        catch (IOException e)
        {
            return StorageResult<StreamRecord>.Fail(StorageError.IOError, $"The change to stream {stream.Name} could not be saved: {e.Message}");
        }

        _index.PutStream(stream);
        return null;
    }

    private StorageResult<StreamRecord> Find(StreamRef stream, StorageError malformedArn)
    {
        if (string.IsNullOrEmpty(stream.Name) && string.IsNullOrEmpty(stream.Arn))
        {
            return Invalid("Either StreamName or StreamARN must be specified.");
        }

        if (!string.IsNullOrEmpty(stream.Name) && StreamValidation.StreamName(stream.Name) is { } badName)
        {
            return Invalid(badName);
        }

        if (!string.IsNullOrEmpty(stream.Arn) && StreamValidation.Arn(stream.Arn) is { } badArn)
        {
            return StorageResult<StreamRecord>.Fail(malformedArn, badArn);
        }

        var found = string.IsNullOrEmpty(stream.Arn) ? _index.FindStreamByName(stream.Name!) : _index.FindStreamByArn(stream.Arn);
        if (found is null)
        {
            return StorageResult<StreamRecord>.Fail(StorageError.ResourceNotFound, NotFoundMessage);
        }

        if (!string.IsNullOrEmpty(stream.Name) && !string.Equals(found.Name, stream.Name, StringComparison.Ordinal))
        {
            return Invalid($"StreamName {stream.Name} and StreamARN {stream.Arn} name different streams.");
        }

        return found;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Stream {Name} created (id {Id}, retention {RetentionHours} h)")]
        public static partial void Created(ILogger logger, string name, long id, int retentionHours);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Stream {Name} deleted (id {Id})")]
        public static partial void Deleted(ILogger logger, string name, long id);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Stream {Name} retention changed from {OldHours} h to {NewHours} h")]
        public static partial void RetentionChanged(ILogger logger, string name, int oldHours, int newHours);
    }
}
