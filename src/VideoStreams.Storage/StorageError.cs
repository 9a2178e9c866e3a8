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

/// <summary>Bytes on disk that fail their checks (magic, version, length, checksum): never served, always reported.</summary>
public sealed class CorruptSegmentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CorruptSegmentException(string file, long offset, string reason)
        : base($"{file}: corrupt at byte {offset}: {reason}")
    {
        File = file;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The file (relative to the data folder).</summary>
    public string File { get; }

    /// <summary>Where in it.</summary>
    public long Offset { get; }

    /// <summary>What check failed.</summary>
    public string Reason { get; }
}
