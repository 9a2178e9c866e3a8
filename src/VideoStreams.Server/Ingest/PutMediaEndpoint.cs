using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using VideoStreams.Server.Kvs;
using VideoStreams.Server.Live;
using VideoStreams.Storage;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Server.Ingest;

/// <summary>
/// POST /putMedia (KVS-API.md §3.1): header problems and unknown streams are answered with KVS's JSON errors before
/// streaming; otherwise 200 at once and one ack per line while the body is read.
/// </summary>
internal static class PutMediaEndpoint
{
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
        services.AddSingleton(options);
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(s => new IngestContext(
            s.GetRequiredService<FragmentStore>(), s.GetRequiredService<LiveHub>(), s.GetRequiredService<IngestMetrics>(),
            options, s.GetRequiredService<TimeProvider>(), s.GetRequiredService<ILoggerFactory>()));
        return services;
    }

    public static void MapIngest(this IEndpointRouteBuilder app)
    {
        var context = app.ServiceProvider.GetRequiredService<IngestContext>();
        var metrics = app.ServiceProvider.GetRequiredService<KvsMetrics>();
        var stopping = app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        app.MapPost("/putMedia", http => HandleAsync(http, context, metrics, stopping)).WithName("PutMedia");
    }

    private static async Task HandleAsync(HttpContext http, IngestContext services, KvsMetrics metrics, CancellationToken stopping)
    {
        var started = services.Time.GetTimestamp();
        var (stream, relative, startMs, problem) = Check(http.Request, services.Store);
        if (problem is { } refused)
        {
            metrics.Record("PutMedia", refused.Error, services.Time.GetElapsedTime(started));
            await refused.WriteAsync(http.Response, http.RequestAborted);
            return;
        }

        metrics.Record("PutMedia", KvsError.None, services.Time.GetElapsedTime(started));

        // A PutMedia lasts as long as the camera streams: no body size limit, no minimum data rate (IDLE is allowed).
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        if (http.Request.Headers.Expect.ToString().Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // curl (`-T -`) sends Expect: 100-continue. Kestrel answers 100 only when the body is first read and not
            // once the final status is out; curl that sees the 200 first never sends the body. So read first (Kestrel
            // sends 100 Continue), leave the bytes unconsumed for the session, then answer 200.
            try
            {
                var first = await http.Request.BodyReader.ReadAsync(http.RequestAborted);
                http.Request.BodyReader.AdvanceTo(first.Buffer.Start);
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
            {
                return;
            }
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await http.Response.StartAsync(http.RequestAborted);

        var acks = new AckWriter(http.Response.BodyWriter);
        using var session = new PutMediaSession(services, stream!, relative, startMs, http.Request.BodyReader, acks, http.TraceIdentifier);
        var previous = services.Sessions.Enter(session);
        IngestLog.SessionStarted(services.Logger, http.TraceIdentifier, stream!.Name, relative ? "RELATIVE" : "ABSOLUTE");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var writer = acks.RunAsync(services.Options.IdleAckInterval, session.IsIdle, stop.Token);
        try
        {
            if (previous is not null)
            {
                // The older session stops reading and commits what it appended first (see PutMediaSession.Settled).
                try
                {
                    await previous.Settled.WaitAsync(TimeSpan.FromSeconds(10), http.RequestAborted);
                }
                catch (TimeoutException)
                {
                    // A store that slow fails the older session's fragments on its own; this one goes on.
                }
            }

            // A server that stops ends every session the way a producer ending its body does: stop reading, send the
            // PERSISTED (or ERROR) of every fragment received, end the response. Otherwise a live camera would hold
            // the shutdown until the host's timeout and then lose its last acks to a reset.
            using var run = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
            await session.RunAsync(run.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            services.Sessions.Leave(session);
            acks.Complete();
        }

        try
        {
            await writer;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The producer went away; nothing more can be told.
        }

        if (stopping.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            // The producer still holds its body open, and Kestrel would wait for it to end before the shutdown goes
            // on. Its acks are out: give it a moment to read the end of the response and hang up, then close.
            await http.Response.CompleteAsync();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), services.Time, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            http.Abort();
        }
    }

    private static (StreamRecord? Stream, bool Relative, long StartMs, KvsReply? Problem) Check(HttpRequest request, FragmentStore store)
    {
        var name = request.Headers["x-amzn-stream-name"].ToString();
        var arn = request.Headers["x-amzn-stream-arn"].ToString();
        if (name.Length > 0 && arn.Length > 0)
        {
            return Fail(KvsError.InvalidArgument, "Specify either x-amzn-stream-name or x-amzn-stream-arn, not both.");
        }

        var type = request.Headers["x-amzn-fragment-timecode-type"].ToString();
        if (type is not ("ABSOLUTE" or "RELATIVE"))
        {
            return Fail(KvsError.InvalidArgument, "x-amzn-fragment-timecode-type must be ABSOLUTE or RELATIVE.");
        }

        var relative = type == "RELATIVE";
        long startMs = 0;
        var start = request.Headers["x-amzn-producer-start-timestamp"].ToString();
        if (start.Length > 0)
        {
            // Epoch seconds in decimal; producer-c sends "sec.ms" without zero-padding the ms part.
            var dot = start.IndexOf('.', StringComparison.Ordinal);
            var wholePart = dot < 0 ? start : start[..dot];
            var fractionPart = dot < 0 ? "" : start[(dot + 1)..];
            if (!long.TryParse(wholePart, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || (fractionPart.Length > 0 && !long.TryParse(fractionPart, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                return Fail(KvsError.InvalidArgument, "x-amzn-producer-start-timestamp must be epoch seconds in decimal.");
            }

            // producer-c writes the milliseconds as a plain integer (1.5 ms → "1.5"), others a decimal fraction:
            // three digits or fewer are taken as milliseconds, longer ones as a fraction of a second.
            long ms = 0;
            if (fractionPart.Length > 0)
            {
                ms = fractionPart.Length <= 3
                    ? long.Parse(fractionPart, CultureInfo.InvariantCulture)
                    : (long)(double.Parse("0." + fractionPart, CultureInfo.InvariantCulture) * 1000);
            }

            startMs = seconds * 1000 + ms;
        }
        else if (relative)
        {
            return Fail(KvsError.InvalidArgument, "x-amzn-producer-start-timestamp is required with RELATIVE timecodes.");
        }

        var found = store.Streams.Describe(new StreamRef(name.Length > 0 ? name : null, arn.Length > 0 ? arn : null));
        if (!found.IsSuccess)
        {
            return Fail(found.Error.ToKvs(), found.Message ?? "The stream was not found.");
        }

        if (found.Value!.Status == StreamStatus.Deleting)
        {
            return Fail(KvsError.ResourceNotFound, $"Stream {found.Value.Name} is not active.");
        }

        return (found.Value, relative, startMs, null);
    }

    private static (StreamRecord?, bool, long, KvsReply?) Fail(KvsError error, string message) => (null, false, 0, KvsReply.Fail(error, message));
}
