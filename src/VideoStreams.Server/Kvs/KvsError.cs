using VideoStreams.Storage;

namespace VideoStreams.Server.Kvs;

/// <summary>The KVS errors this server answers with (KVS-API.md §1.3–1.4).</summary>
internal enum KvsError
{
    None,
    InvalidArgument,
    ResourceNotFound,
    ResourceInUse,
    VersionMismatch,
    TagsPerResourceExceededLimit,
    InvalidResourceFormat,
    NoDataRetention,
    ClientLimitExceeded,
    NotAuthorized,
    // GetClip and GetHLSStreamingSessionURL's media errors (KVS-API §4): stored fragments that cannot be packaged.
    MissingCodecPrivateData,
    InvalidCodecPrivateData,
    UnsupportedStreamMediaType,
    InvalidMediaFrame,
    InternalFailure,
    ServiceUnavailable,
}

internal static class KvsErrors
{
    /// <summary>The name clients read from <c>x-amzn-ErrorType</c>; the SDKs turn it into the exception class.</summary>
    public static string Name(this KvsError error) => error switch
    {
        KvsError.InvalidArgument => "InvalidArgumentException",
        KvsError.ResourceNotFound => "ResourceNotFoundException",
        KvsError.ResourceInUse => "ResourceInUseException",
        KvsError.VersionMismatch => "VersionMismatchException",
        KvsError.TagsPerResourceExceededLimit => "TagsPerResourceExceededLimitException",
        KvsError.InvalidResourceFormat => "InvalidResourceFormatException",
        KvsError.NoDataRetention => "NoDataRetentionException",
        KvsError.ClientLimitExceeded => "ClientLimitExceededException",
        KvsError.NotAuthorized => "NotAuthorizedException",
        KvsError.MissingCodecPrivateData => "MissingCodecPrivateDataException",
        KvsError.InvalidCodecPrivateData => "InvalidCodecPrivateDataException",
        KvsError.UnsupportedStreamMediaType => "UnsupportedStreamMediaTypeException",
        KvsError.InvalidMediaFrame => "InvalidMediaFrameException",
        // The generic front-end errors carry no "Exception" suffix in KVS.
        KvsError.InternalFailure => "InternalFailure",
        KvsError.ServiceUnavailable => "ServiceUnavailable",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "not an error"),
    };

    /// <summary>The modelled HTTP status (the SDK models' httpError values; NotAuthorized is 401, §6.1).</summary>
    public static int Status(this KvsError error) => error switch
    {
        KvsError.ResourceNotFound => StatusCodes.Status404NotFound,
        KvsError.NotAuthorized => StatusCodes.Status401Unauthorized,
        KvsError.InternalFailure => StatusCodes.Status500InternalServerError,
        KvsError.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The store's expected outcomes are named after KVS errors, so this is one to one where KVS has one.</summary>
    public static KvsError ToKvs(this StorageError error) => error switch
    {
        StorageError.None => KvsError.None,
        StorageError.ResourceNotFound => KvsError.ResourceNotFound,
        StorageError.ResourceInUse => KvsError.ResourceInUse,
        StorageError.VersionMismatch => KvsError.VersionMismatch,
        StorageError.InvalidArgument => KvsError.InvalidArgument,
        StorageError.TagsPerResourceExceededLimit => KvsError.TagsPerResourceExceededLimit,
        StorageError.InvalidResourceFormat => KvsError.InvalidResourceFormat,
        StorageError.NoDataRetention => KvsError.NoDataRetention,
        // A full disk is the server's trouble and passes (retention makes room): clients retry a 503.
        StorageError.StorageFull => KvsError.ServiceUnavailable,
        // I/O failures and a missing master key are the server's fault, never the caller's.
        _ => KvsError.InternalFailure,
    };
}
