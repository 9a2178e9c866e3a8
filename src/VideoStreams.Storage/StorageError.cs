namespace VideoStreams.Storage;

/// <summary>
/// Expected outcomes of store operations that are not success. Named after the KVS errors they map to, so the server
/// maps them one to one (see ../shared/docs/KVS-API.md §1.4).
/// </summary>
public enum StorageError
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>The stream (or fragment) does not exist, or the stream is being deleted.</summary>
    ResourceNotFound,
    /// <summary>A stream with that name exists already, or the stream is not in a state that allows the call.</summary>
    ResourceInUse,
    /// <summary>The caller's CurrentVersion is not the stream's version.</summary>
    VersionMismatch,
    /// <summary>An argument is out of its allowed range or shape; the message says which.</summary>
    InvalidArgument,
    /// <summary>The stream would have more than 50 tags.</summary>
    TagsPerResourceExceededLimit,
    /// <summary>An ARN is not shaped like a stream ARN.</summary>
    InvalidResourceFormat,
    /// <summary>The stream keeps no data (retention 0), so nothing can be stored or read back.</summary>
    NoDataRetention,
    /// <summary>The disk is full: the append failed and nothing of it was kept.</summary>
    StorageFull,
    /// <summary>An I/O error failed the operation; the store stays consistent.</summary>
    IOError,

    /// <summary>The master key the stream's KmsKeyId names is not available, so nothing can be sealed (KVS: KMS_KEY_NOT_FOUND).</summary>
    KmsKeyUnavailable,
}

/// <summary>An operation's outcome: a value, or a <see cref="StorageError"/> with a message for the caller.</summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly record struct StorageResult<T>
{
    private StorageResult(T? value, StorageError error, string? message)
    {
        Value = value;
        Error = error;
        Message = message;
    }

    /// <summary>The value; meaningful only when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>What went wrong, or <see cref="StorageError.None"/>.</summary>
    public StorageError Error { get; }

    /// <summary>A message suitable for the API's error body.</summary>
    public string? Message { get; }

    /// <summary>True when the operation succeeded.</summary>
    public bool IsSuccess => Error == StorageError.None;

    /// <summary>A success.</summary>
    public static StorageResult<T> Ok(T value) => new(value, StorageError.None, null);

    /// <summary>A failure.</summary>
    public static StorageResult<T> Fail(StorageError error, string message) => new(default, error, message);

    /// <summary>Implicit success from a value.</summary>
    public static implicit operator StorageResult<T>(T value) => Ok(value);
}

/// <summary>What kind of check stored bytes failed.</summary>
public enum CorruptionKind
{
    /// <summary>A format check failed: magic, version, length or checksum (a torn write, a bad disk, a bug).</summary>
    Damaged,

    /// <summary>
    /// The sealed media did not authenticate: it, its metadata or its header was altered, or the record was moved to
    /// another stream or position. KVS reports this kind of failure with its KMS/internal error ids.
    /// </summary>
    Unauthenticated,

    /// <summary>The data key the record names is unknown, belongs to another stream, or cannot be unwrapped.</summary>
    KeyUnavailable,
}

/// <summary>
/// Bytes on disk that fail their checks (magic, version, length, checksum, authentication): never served, always
/// reported, with the file and offset and, when known, the stream and fragment number.
/// </summary>
public sealed class CorruptSegmentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CorruptSegmentException(string file, long offset, string reason)
        : this(file, offset, reason, CorruptionKind.Damaged, null, null)
    {
    }

    /// <summary>Creates the exception with what kind of check failed and the fragment it concerns.</summary>
    public CorruptSegmentException(string file, long offset, string reason, CorruptionKind kind, long? streamId, long? fragmentNumber)
        : base(Describe(file, offset, reason, streamId, fragmentNumber))
    {
        File = file;
        Offset = offset;
        Reason = reason;
        Kind = kind;
        StreamId = streamId;
        FragmentNumber = fragmentNumber;
    }

    /// <summary>The file (relative to the data folder).</summary>
    public string File { get; }

    /// <summary>Where in it.</summary>
    public long Offset { get; }

    /// <summary>What check failed.</summary>
    public string Reason { get; }

    /// <summary>What kind of check failed.</summary>
    public CorruptionKind Kind { get; }

    /// <summary>The stream (internal id) of the fragment, when known.</summary>
    public long? StreamId { get; }

    /// <summary>The fragment's number, when known.</summary>
    public long? FragmentNumber { get; }

    private static string Describe(string file, long offset, string reason, long? streamId, long? fragmentNumber) =>
        (streamId, fragmentNumber) switch
        {
            ({ } s, { } n) => $"{file}: corrupt at byte {offset} (stream {s}, fragment {n}): {reason}",
            (null, { } n) => $"{file}: corrupt at byte {offset} (fragment {n}): {reason}",
            _ => $"{file}: corrupt at byte {offset}: {reason}",
        };
}
