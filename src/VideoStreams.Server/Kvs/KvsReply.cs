using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VideoStreams.Storage;

namespace VideoStreams.Server.Kvs;

/// <summary>What a KVS operation answers: a JSON object, or a KVS error with its message.</summary>
internal readonly struct KvsReply
{
    private readonly object? _body;
    private readonly JsonTypeInfo? _type;

    private KvsReply(object? body, JsonTypeInfo? type, KvsError error, string? message)
    {
        _body = body;
        _type = type;
        Error = error;
        Message = message;
    }

    public KvsError Error { get; }

    public string? Message { get; }

    public bool IsSuccess => Error == KvsError.None;

    public static KvsReply Ok<T>(T body, JsonTypeInfo<T> type) => new(body, type, KvsError.None, null);

    public static KvsReply Fail(KvsError error, string message) => new(null, null, error, message);

    /// <summary>The store's result: its value mapped to the output shape, or its error mapped to KVS's.</summary>
    public static KvsReply From<T, TOut>(StorageResult<T> result, Func<T, TOut> output, JsonTypeInfo<TOut> type) =>
        result.IsSuccess ? Ok(output(result.Value!), type) : Fail(result.Error.ToKvs(), result.Message ?? result.Error.ToString());

    public Task WriteAsync(HttpResponse response, CancellationToken cancel)
    {
        response.ContentType = "application/json";
        if (IsSuccess)
        {
            response.StatusCode = StatusCodes.Status200OK;
            return JsonSerializer.SerializeAsync(response.Body, _body, _type!, cancel);
        }

        // KVS-API §1.4: the modelled status, x-amzn-ErrorType (what the SDKs read first) and {"Message": …}.
        response.StatusCode = Error.Status();
        response.Headers[KvsRequest.ErrorTypeHeader] = Error.Name();
        return JsonSerializer.SerializeAsync(response.Body, new ErrorBody(Message ?? ""), KvsJson.Default.ErrorBody, cancel);
    }
}
