using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Upload;

/// <summary>
/// Sends the fragments of a <see cref="FragmentSpool"/> to a KVS-compatible PutMedia endpoint and releases each from
/// the spool when the server acknowledges it. (Contract only; the implementation is in progress.)
/// </summary>
public sealed class PutMediaUploader : IAsyncDisposable
{
    private readonly UploaderOptions _options;
    private readonly FragmentSpool _spool;

    /// <summary>Creates an uploader; nothing is sent until <see cref="RunAsync"/>.</summary>
    public PutMediaUploader(
        UploaderOptions options,
        FragmentSpool spool,
        HttpMessageHandler? handler = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        _options = options;
        _spool = spool;
        _ = handler;
        _ = timeProvider;
        _ = loggerFactory;
        _ = meterFactory;
    }

    /// <summary>
    /// Uploads until cancelled, reconnecting on errors. Throws <see cref="UploadFatalException"/> when the server refuses
    /// the stream for good (unknown stream, access denied, a request it will never accept).
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        _ = _spool;
        throw new UploadFatalException(400, "NotBuilt", $"The uploader for {_options.StreamName} is not built yet.");
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The server refused the upload for a reason that retrying will not fix.</summary>
public sealed class UploadFatalException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UploadFatalException(int statusCode, string errorType, string message)
        : base(message)
    {
        StatusCode = statusCode;
        ErrorType = errorType;
    }

    /// <summary>Creates the exception.</summary>
    public UploadFatalException()
    {
        ErrorType = "";
    }

    /// <summary>Creates the exception.</summary>
    public UploadFatalException(string message)
        : base(message)
    {
        ErrorType = "";
    }

    /// <summary>Creates the exception.</summary>
    public UploadFatalException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorType = "";
    }

    /// <summary>The HTTP status, or 0 when the refusal came as a PutMedia ERROR ack.</summary>
    public int StatusCode { get; }

    /// <summary>The KVS error type (e.g. <c>ResourceNotFoundException</c>) or the ack's ErrorId.</summary>
    public string ErrorType { get; }
}
