using System.Text.Json;
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

    /// <summary>The KVS error name (x-amzn-ErrorType).</summary>
    public string KvsName => Kind switch
    {
        ClipFailureKind.InvalidArgument => "InvalidArgumentException",
        ClipFailureKind.ResourceNotFound => "ResourceNotFoundException",
        ClipFailureKind.NoDataRetention => "NoDataRetentionException",
        ClipFailureKind.MissingCodecPrivateData => "MissingCodecPrivateDataException",
        ClipFailureKind.InvalidCodecPrivateData => "InvalidCodecPrivateDataException",
        ClipFailureKind.UnsupportedStreamMediaType => "UnsupportedStreamMediaTypeException",
        _ => "InvalidMediaFrameException",
    };

    /// <summary>HTTP status: 404 for a missing stream or range without fragments (as KVS), 400 for the rest.</summary>
    public int KvsStatus => Kind == ClipFailureKind.ResourceNotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;

    /// <summary>Our endpoint's status: media the server cannot turn into MP4 is 422, not the caller's syntax.</summary>
    public int HttpStatus => Kind switch
    {
        ClipFailureKind.InvalidArgument or ClipFailureKind.NoDataRetention => StatusCodes.Status400BadRequest,
        ClipFailureKind.ResourceNotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    /// <summary>
    /// The KVS error as GetClip answers it. The errors KvsError knows go through MapKvsMedia's failure path (so they
    /// are counted per error name); the codec ones KvsError lacks are written here in the same shape.
    /// </summary>
    public MediaService.Plan ToKvsPlan() => Kind switch
    {
        ClipFailureKind.InvalidArgument => new(KvsReply.Fail(KvsError.InvalidArgument, Message), null),
        ClipFailureKind.ResourceNotFound => new(KvsReply.Fail(KvsError.ResourceNotFound, Message), null),
        ClipFailureKind.NoDataRetention => new(KvsReply.Fail(KvsError.NoDataRetention, Message), null),
        _ => new(null, WriteKvsAsync),
    };

    private async Task WriteKvsAsync(HttpResponse response, CancellationToken cancel)
    {
        response.StatusCode = KvsStatus;
        response.ContentType = "application/json";
        response.Headers[KvsRequest.ErrorTypeHeader] = KvsName;
        await JsonSerializer.SerializeAsync(response.Body, new ErrorBody(Message), KvsJson.Default.ErrorBody, cancel);
    }

    /// <summary>The ProblemDetails answer of our endpoint, naming the parameter at fault.</summary>
    public IResult ToProblem() => Results.Problem(
        detail: Message,
        statusCode: HttpStatus,
        title: Kind == ClipFailureKind.InvalidArgument ? $"Invalid parameter '{Parameter}'" : KvsName.Replace("Exception", "", StringComparison.Ordinal),
        extensions: Parameter is null ? null : new Dictionary<string, object?> { ["parameter"] = Parameter });
}
