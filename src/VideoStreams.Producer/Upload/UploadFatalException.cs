namespace VideoStreams.Producer.Upload;

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
