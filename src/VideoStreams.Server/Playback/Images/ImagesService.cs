using System.Diagnostics;
using System.Text.Json;
using VideoStreams.Storage;
using VideoStreams.Storage.Fragments;

namespace VideoStreams.Server.Playback.Images;

/// <summary>
/// GetImages (KVS-API.md §4): one entry per sample time of the page, in time order — NO_MEDIA where no stored fragment
/// covers the time, MEDIA_ERROR where the covering fragment cannot be decoded, else the image. Each fragment is read
/// and decoded once for all the page's sample times that fall in it, holding one of a bounded number of decode
/// slots. The JSON is written image by image as fragments are done, so a page never sits whole in memory.
/// </summary>
internal sealed class ImagesService(FragmentStore store, FragmentDecoder decoder, ImagesMetrics metrics, ImagesOptions options,
    ILogger<ImagesService> logger) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.EffectiveMaxConcurrentDecodes, options.EffectiveMaxConcurrentDecodes);

    public MediaService.Plan GetImages(GetImagesInput input)
    {
        var (query, failure) = ImagesRequest.Check(input, store);
        return failure is { } reply
            ? new MediaService.Plan(reply, null)
            : new MediaService.Plan(null, (response, cancel) => WriteAsync(response, query!, cancel));
    }

    private async Task WriteAsync(HttpResponse response, ImageQuery query, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("Images");
        var end = query.FirstIndex + query.PageCount;
        var offsets = new long[query.PageCount];
        int images = 0, missing = 0, failed = 0;
        for (var i = query.FirstIndex; i < end;)
        {
            var time = query.SampleMs(i);
            var entry = store.Index.FindAtTime(query.StreamId, query.Kind, time);
            var start = entry is { } found ? StartOf(found, query.Kind) : long.MaxValue;
            if (entry is null || start > time)
            {
                WriteEntry(json, time, "NO_MEDIA", null);
                metrics.Produced(query.Format, "no_media");
                missing++;
                i++;
                continue;
            }

            // Every later sample of the page that this fragment also covers is taken from the same decode.
            var fragmentEnd = start + entry.Value.DurationMs;
            var count = 0;
            while (i + count < end && query.SampleMs(i + count) < fragmentEnd)
            {
                offsets[count] = query.SampleMs(i + count) - start;
                count++;
            }

            var rendered = await RenderAsync(entry.Value, offsets.AsMemory(0, count), query, cancel);
            for (var k = 0; k < count; k++)
            {
                var image = rendered[k];
                WriteEntry(json, query.SampleMs(i + k), image is null ? "MEDIA_ERROR" : null, image);
                metrics.Produced(query.Format, image is null ? "media_error" : "ok");
                _ = image is null ? failed++ : images++;
                await json.FlushAsync(cancel);
            }

            i += count;
        }

        json.WriteEndArray();
        if (query.NextToken() is { } next)
        {
            json.WriteString("NextToken", next);
        }

        json.WriteEndObject();
        await json.FlushAsync(cancel);
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        ImagesLog.Answered(logger, query.StreamId, query.PageCount, images, missing, failed, elapsedMs);
    }

    private async Task<byte[]?[]> RenderAsync(FragmentEntry entry, ReadOnlyMemory<long> offsets, ImageQuery query, CancellationToken cancel)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            metrics.Waiting(1);
            ImagesLog.Waiting(logger, entry.Number);
            try
            {
                await _slots.WaitAsync(cancel);
            }
            finally
            {
                metrics.Waiting(-1);
            }
        }

        try
        {
            StorageResult<StoredFragment> read;
            try
            {
                read = store.Read(entry);
            }
            catch (CorruptSegmentException e)
            {
                // Damaged media is never served: its samples are MEDIA_ERROR.
                ImagesLog.Corrupt(logger, e, entry.Number);
                return new byte[]?[offsets.Length];
            }

            // Retention may have removed it since the lookup: nothing to decode any more.
            return read.IsSuccess ? decoder.Render(read.Value!, offsets.Span, query) : new byte[]?[offsets.Length];
        }
        finally
        {
            _slots.Release();
        }
    }

    private static long StartOf(in FragmentEntry entry, TimestampKind kind) =>
        kind == TimestampKind.Producer ? entry.ProducerTimestampMs : entry.ServerTimestampMs;

    private static void WriteEntry(Utf8JsonWriter json, long timeMs, string? error, byte[]? image)
    {
        json.WriteStartObject();
        json.WriteNumber("TimeStamp", timeMs / 1000.0);
        if (error is not null)
        {
            json.WriteString("Error", error);
        }

        if (image is not null)
        {
            json.WriteBase64String("ImageContent", image);
        }

        json.WriteEndObject();
    }

    public void Dispose() => _slots.Dispose();
}
