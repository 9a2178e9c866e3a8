using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// <c>GET</c>/<c>HEAD /v1/streams/{name}/clip</c>: the clip as a file with validators and byte ranges. A single range
/// (<c>bytes=a-b</c>, <c>a-</c>, <c>-n</c>) gets 206 and only those bytes are produced; several ranges get the whole
/// file (200); a range past the end gets 416. <c>If-Range</c> with another ETag (or date) gets the whole file.
/// </summary>
internal static class ClipHttp
{
    public static async Task HandleAsync(HttpContext context, string name, ClipService service)
    {
        var request = context.Request;
        var query = request.Query;
        var (plan, failure) = service.Resolve(name, query["start"], query["end"], query["clock"]);
        if (failure is not null)
        {
            await failure.ToProblem().ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        var size = plan!.FileSize;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = plan.ETag;
        response.Headers.LastModified = plan.LastModified.ToString("R", CultureInfo.InvariantCulture);
        response.ContentType = "video/mp4";

        long start = 0, length = size;
        var ranged = false;
        if (RangeApplies(request, plan) is { } range)
        {
            service.Metrics.Range();
            if (!TryResolve(range, size, out start, out length))
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{size}";
                response.ContentLength = 0;
                return;
            }

            ranged = true;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{start + length - 1}/{size}";
        }

        response.ContentLength = length;
        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        var writer = new ClipWriter(service.Store, plan);
        try
        {
            await writer.WriteAsync(response.BodyWriter, start, length, context.RequestAborted);
            ClipLog.Served(service.Logger, plan.ETag, start, start + length - 1, size, writer.FragmentsRead);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The viewer went away (a player seeking cancels its range requests): nothing to report.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Headers are gone: all we can do is cut the response short so the client sees it is incomplete.
            ClipLog.Failed(service.Logger, e, plan.ETag);
            context.Abort();
        }
        finally
        {
            service.Metrics.Served(ranged ? "http-range" : "http", writer.Written);
        }
    }

    /// <summary>The one byte range to honour, or null to send the whole file (no Range, several, or a stale If-Range).</summary>
    private static RangeItemHeaderValue? RangeApplies(HttpRequest request, ClipPlan plan)
    {
        var headers = request.GetTypedHeaders();
        if (headers.Range is not { } range || !string.Equals(range.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || range.Ranges.Count != 1)
        {
            return null;
        }

        if (headers.IfRange is { } condition)
        {
            // RFC 9110 §13.1.5: a strong comparison for an ETag; a date must match Last-Modified exactly.
            var fresh = condition.EntityTag is { } tag
                ? !tag.IsWeak && tag.Tag.Value == plan.ETag
                : condition.LastModified is { } date && date == plan.LastModified;
            if (!fresh)
            {
                return null;
            }
        }

        return range.Ranges.First();
    }

    private static bool TryResolve(RangeItemHeaderValue range, long size, out long start, out long length)
    {
        (start, length) = (0, 0);
        if (range.From is { } from)
        {
            if (from >= size)
            {
                return false;
            }

            var last = Math.Min(range.To ?? size - 1, size - 1);
            (start, length) = (from, last - from + 1);
            return length > 0;
        }

        if (range.To is not { } suffix || suffix <= 0)
        {
            return false;
        }

        start = Math.Max(0, size - suffix);
        length = size - start;
        return true;
    }
}
