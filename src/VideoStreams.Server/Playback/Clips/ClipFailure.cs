using VideoStreams.Server.Kvs;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>Why no clip can be made: the KVS error (GetClip) and the HTTP problem (our endpoint) both come from it.</summary>
internal enum ClipFailureKind
{
    InvalidArgument,
    ResourceNotFound,
    NoDataRetention,
    MissingCodecPrivateData,
    InvalidCodecPrivateData,
    UnsupportedStreamMediaType,
    InvalidMediaFrame,
}

/// <summary>A refused clip request.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Parameter">The request field or query parameter at fault, when one is.</param>
/// <param name="Message">What to tell the caller.</param>
internal sealed record ClipFailure(ClipFailureKind Kind, string? Parameter, string Message)
{
    public static ClipFailure Invalid(string parameter, string message) => new(ClipFailureKind.InvalidArgument, parameter, message);

    /// <summary>The KVS error it is.</summary>
    public KvsError KvsError => Kind switch
    {
        ClipFailureKind.InvalidArgument => KvsError.InvalidArgument,
        ClipFailureKind.ResourceNotFound => KvsError.ResourceNotFound,
        ClipFailureKind.NoDataRetention => KvsError.NoDataRetention,
        ClipFailureKind.MissingCodecPrivateData => KvsError.MissingCodecPrivateData,
        ClipFailureKind.InvalidCodecPrivateData => KvsError.InvalidCodecPrivateData,
        ClipFailureKind.UnsupportedStreamMediaType => KvsError.UnsupportedStreamMediaType,
        _ => KvsError.InvalidMediaFrame,
    };

    /// <summary>The KVS error name (x-amzn-ErrorType).</summary>
    public string KvsName => KvsError.Name();

    /// <summary>Our endpoint's status: media the server cannot turn into MP4 is 422, not the caller's syntax.</summary>
    public int HttpStatus => Kind switch
    {
        ClipFailureKind.InvalidArgument or ClipFailureKind.NoDataRetention => StatusCodes.Status400BadRequest,
        ClipFailureKind.ResourceNotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>The KVS error as GetClip answers it (through MapKvsMedia's failure path, so it is counted per error name).</summary>
    public MediaService.Plan ToKvsPlan() => new(KvsReply.Fail(KvsError, Message), null);

    /// <summary>The ProblemDetails answer of our endpoint, naming the parameter at fault.</summary>
    public IResult ToProblem() => Results.Problem(
        detail: Message,
        statusCode: HttpStatus,
        title: Kind == ClipFailureKind.InvalidArgument ? $"Invalid parameter '{Parameter}'" : KvsName.Replace("Exception", "", StringComparison.Ordinal),
        extensions: Parameter is null ? null : new Dictionary<string, object?> { ["parameter"] = Parameter });
}
