using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using VideoStreams.Server.Kvs;
using VideoStreams.Server.Playback.Clips;
using VideoStreams.Server.Playback.Hls;
using VideoStreams.Server.Playback.Images;
using VideoStreams.Server.Playback.Timeline;

namespace VideoStreams.Server.Playback;

/// <summary>
/// The KVS read paths: /listFragments (JSON), /getMedia and /getMediaForFragmentList (streamed MKV); then each playback
/// feature's own routes (HLS sessions, clips, images, extent and gaps).
/// </summary>
internal static partial class PlaybackEndpoints
{
    public static IServiceCollection AddPlayback(this IServiceCollection services) => services
        .AddSingleton<ListFragmentsService>()
        .AddSingleton<LiveEdge>()
        .AddSingleton<MediaService>()
        .AddPlaybackCors()
        .AddHls()
        .AddClips()
        .AddImages()
        .AddTimeline();

    public static IEndpointRouteBuilder MapPlayback(this IEndpointRouteBuilder app)
    {
        var list = app.ServiceProvider.GetRequiredService<ListFragmentsService>();
        var media = app.ServiceProvider.GetRequiredService<MediaService>();
        var json = PlaybackJson.Default;
        app.MapKvs("ListFragments", "/listFragments", json.ListFragmentsInput, (input, _) => list.ListFragments(input));
        app.MapKvsMedia("GetMedia", "/getMedia", json.GetMediaInput, media.GetMedia);
        app.MapKvsMedia("GetMediaForFragmentList", "/getMediaForFragmentList", json.GetMediaForFragmentListInput, media.GetMediaForFragmentList);
        app.MapHls();
        app.MapClips();
        app.MapImages();
        app.MapTimeline();
        return app;
    }

    /// <summary>
    /// Like <see cref="KvsEndpoints.MapKvs"/> for operations whose answer is a byte stream: the request is read and
    /// checked the same way (the same KVS errors before anything is sent), then the plan streams the body.
    /// </summary>
    internal static IEndpointConventionBuilder MapKvsMedia<TIn>(this IEndpointRouteBuilder app, string operation, string path, JsonTypeInfo<TIn> input,
        Func<TIn, MediaService.Plan> plan)
        where TIn : class
    {
        var services = app.ServiceProvider;
        var metrics = services.GetRequiredService<KvsMetrics>();
        var limit = services.GetRequiredService<ServerOptions>().MaxRequestBodyBytes;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("VideoStreams.Server.Playback");
        return app.MapPost(path, async context =>
        {
            var started = Stopwatch.GetTimestamp();
            var cancel = context.RequestAborted;
            var error = KvsError.None;
            try
            {
                var (value, problem) = await KvsRequest.ReadJsonAsync(context.Request, input, limit, cancel);
                var checkedPlan = value is null
                    ? new MediaService.Plan(KvsReply.Fail(KvsError.InvalidArgument, problem!), null)
                    : plan(value);
                if (checkedPlan.Failure is { } failure)
                {
                    error = failure.Error;
                    var errorType = failure.Error.Name();
                    Log.Refused(logger, operation, context.TraceIdentifier, errorType, failure.Message ?? "");
                    await failure.WriteAsync(context.Response, cancel);
                    return;
                }

                await checkedPlan.Stream!(context.Response, cancel);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // The reader went away: the normal end of a GetMedia that follows the live edge.
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                error = KvsError.InvalidArgument;
                await KvsReply.Fail(error, $"The request body could not be read: {e.Message}").WriteAsync(context.Response, cancel);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = KvsError.InternalFailure;
                Log.Failed(logger, e, operation, context.TraceIdentifier);
                if (!context.Response.HasStarted)
                {
                    await KvsReply.Fail(error, $"The server failed to process the request (request id {context.TraceIdentifier}).").WriteAsync(context.Response, cancel);
                }
            }
            finally
            {
                metrics.Record(operation, error, Stopwatch.GetElapsedTime(started));
            }
        }).WithName(operation);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "{Operation} {RequestId} refused: {ErrorType}: {ErrorMessage}")]
        public static partial void Refused(ILogger logger, string operation, string requestId, string errorType, string errorMessage);

        [LoggerMessage(EventId = 5302, Level = LogLevel.Error, Message = "{Operation} {RequestId} failed while streaming")]
        public static partial void Failed(ILogger logger, Exception exception, string operation, string requestId);
    }
}
