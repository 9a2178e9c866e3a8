using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;

namespace VideoStreams.Server.Kvs;

/// <summary>
/// Maps one KVS JSON operation: read and check the body, run the handler, answer in KVS's shape, count it and log
/// it. Every feature's JSON operations go through here, so they all behave alike on bad input.
/// </summary>
internal static partial class KvsEndpoints
{
    public static IEndpointConventionBuilder MapKvs<TIn>(this IEndpointRouteBuilder app, string operation, string path,
        JsonTypeInfo<TIn> input, Func<TIn, HttpContext, KvsReply> handle)
        where TIn : class
    {
        var services = app.ServiceProvider;
        var metrics = services.GetRequiredService<KvsMetrics>();
        var limit = services.GetRequiredService<ServerOptions>().MaxRequestBodyBytes;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("VideoStreams.Server.Kvs");
        return app.MapPost(path, context => HandleAsync(context, operation, input, handle, limit, metrics, logger))
            .WithName(operation);
    }

    private static async Task HandleAsync<TIn>(HttpContext context, string operation, JsonTypeInfo<TIn> input,
        Func<TIn, HttpContext, KvsReply> handle, int limit, KvsMetrics metrics, ILogger logger)
        where TIn : class
    {
        var started = Stopwatch.GetTimestamp();
        var cancel = context.RequestAborted;
        KvsReply reply;
        try
        {
            var (value, problem) = await KvsRequest.ReadJsonAsync(context.Request, input, limit, cancel);
            if (value is null)
            {
                if (KvsRequest.IsTooLarge(problem!))
                {
                    context.Response.Headers.Connection = "close";
                }

                reply = KvsReply.Fail(KvsError.InvalidArgument, problem!);
            }
            else
            {
                reply = handle(value, context);
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits and framing errors while reading the body.
            reply = KvsReply.Fail(KvsError.InvalidArgument, $"The request body could not be read: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Failed(logger, e, operation, context.TraceIdentifier);
            reply = KvsReply.Fail(KvsError.InternalFailure, $"The server failed to process the request (request id {context.TraceIdentifier}).");
        }

        if (!context.Response.HasStarted)
        {
            await reply.WriteAsync(context.Response, cancel);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.Record(operation, reply.Error, elapsed);
        if (reply.IsSuccess)
        {
            Log.Answered(logger, operation, context.TraceIdentifier, elapsed.TotalMilliseconds);
        }
        else
        {
            var errorType = reply.Error.Name();
            Log.Refused(logger, operation, context.TraceIdentifier, errorType, reply.Message ?? "");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "{Operation} {RequestId} answered in {ElapsedMs:F2} ms")]
        public static partial void Answered(ILogger logger, string operation, string requestId, double elapsedMs);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "{Operation} {RequestId} refused: {ErrorType}: {ErrorMessage}")]
        public static partial void Refused(ILogger logger, string operation, string requestId, string errorType, string errorMessage);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "{Operation} {RequestId} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string operation, string requestId);
    }
}
