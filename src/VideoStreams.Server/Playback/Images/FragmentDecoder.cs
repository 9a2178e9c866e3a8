using System.Buffers;
using System.Diagnostics;
using OpenCvSharp;
using VideoStreams.Media;
using VideoStreams.Media.Matroska;
using VideoStreams.Storage;

namespace VideoStreams.Server.Playback.Images;

/// <summary>
/// Decodes one stored fragment with OpenCV's bundled FFmpeg and encodes the pictures a set of sample times asks for.
/// OpenCvSharp can only open a path, so the fragment becomes a small MKV (its session header + the stored cluster)
/// in the data folder's temp area, readable by this process's user only, unlinked as soon as FFmpeg has opened it.
/// Decoding starts at the fragment's keyframe (every fragment starts with one) and goes forward; the frame for a sample
/// time is the last one presented at or before it.
/// </summary>
internal sealed class FragmentDecoder(string tempDirectory, ImagesMetrics metrics, ILogger<FragmentDecoder> logger)
{
    /// <summary>KVS's limit on one image's base64 text (KVS-API.md §4); a bigger image is reported as MEDIA_ERROR.</summary>
    public const int MaxBase64Chars = 6_291_456;

    public string TempDirectory => tempDirectory;

    /// <summary>
    /// Encoded images for samples at <paramref name="offsetsMs"/> (ascending, relative to the fragment's start);
    /// an element is null where the fragment could not give one (MEDIA_ERROR).
    /// </summary>
    public byte[]?[] Render(StoredFragment fragment, ReadOnlySpan<long> offsetsMs, ImageQuery query)
    {
        var images = new byte[]?[offsetsMs.Length];
        if (SessionHeader.From(fragment.Tags) is not { } header
            || header.Tracks.FirstOrDefault(t => t.Type == MatroskaTrackType.Video) is not { } video)
        {
            ImagesLog.NoVideo(logger, fragment.Entry.Number);
            return images;
        }

        var started = Stopwatch.GetTimestamp();
        var headerBytes = new ArrayBufferWriter<byte>(512);
        using (var writer = new MatroskaWriter(headerBytes))
        {
            writer.WriteHeader(header.Info, header.Tracks);
        }

        var length = headerBytes.WrittenCount + fragment.Media.Length;
        var document = ArrayPool<byte>.Shared.Rent(length);
        string? path = null;
        try
        {
            headerBytes.WrittenSpan.CopyTo(document);
            fragment.Media.CopyTo(document.AsSpan(headerBytes.WrittenCount));
            var frameTimes = FrameTimes(document.AsMemory(0, length), video.Number, header.Info.TimestampScale);
            if (frameTimes.Count == 0)
            {
                ImagesLog.NoFrames(logger, fragment.Entry.Number);
                return images;
            }

            path = WriteTemp(document.AsSpan(0, length));
            Decode(path, frameTimes, offsetsMs, query, images, fragment.Entry.Number, ref path);
        }
        catch (MediaFormatException e)
        {
            ImagesLog.Undecodable(logger, e, fragment.Entry.Number);
        }
        catch (OpenCVException e)
        {
            ImagesLog.Undecodable(logger, e, fragment.Entry.Number);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(document);
            DeleteTemp(path);
            metrics.Decoded(Stopwatch.GetElapsedTime(started));
        }

        return images;
    }

    private void Decode(string file, List<long> frameTimes, ReadOnlySpan<long> offsetsMs, ImageQuery query, byte[]?[] images, long fragmentNumber, ref string? path)
    {
        using var capture = new VideoCapture(file, VideoCaptureAPIs.FFMPEG);
        // FFmpeg holds the file open: unlink it now, so decrypted media never outlives the decode, even on a crash.
        DeleteTemp(path);
        path = null;
        if (!capture.IsOpened())
        {
            ImagesLog.NotOpened(logger, fragmentNumber);
            return;
        }

        using var frame = new Mat();
        using var resized = new Mat();
        var decoded = -1;
        var encodedFrame = -1;
        byte[]? encoded = null;
        for (var s = 0; s < offsetsMs.Length; s++)
        {
            // Frames come out in presentation order, so the k-th decoded picture has the k-th smallest timestamp.
            var wanted = Math.Max(0, LastAtOrBefore(frameTimes, offsetsMs[s]));
            while (decoded < wanted)
            {
                if (!capture.Read(frame) || frame.Empty())
                {
                    ImagesLog.DecodedFewer(logger, fragmentNumber, decoded + 1, frameTimes.Count);
                    return;
                }

                decoded++;
            }

            if (encodedFrame != wanted)
            {
                encoded = Encode(frame, resized, query);
                encodedFrame = wanted;
            }

            images[s] = encoded;
        }
    }

    private byte[]? Encode(Mat frame, Mat resized, ImageQuery query)
    {
        var started = Stopwatch.GetTimestamp();
        var (width, height) = TargetSize(frame.Width, frame.Height, query.Width, query.Height);
        var picture = frame;
        if (width != frame.Width || height != frame.Height)
        {
            var shrinking = width <= frame.Width && height <= frame.Height;
            Cv2.Resize(frame, resized, new Size(width, height), 0, 0, shrinking ? InterpolationFlags.Area : InterpolationFlags.Linear);
            picture = resized;
        }

        byte[] bytes;
        if (query.Format == ImageFormat.Jpeg)
        {
            Cv2.ImEncode(".jpg", picture, out bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, query.JpegQuality));
        }
        else
        {
            Cv2.ImEncode(".png", picture, out bytes);
        }

        metrics.Encoded(query.Format, Stopwatch.GetElapsedTime(started));
        return bytes.Length > 0 && ((bytes.Length + 2L) / 3 * 4) <= MaxBase64Chars ? bytes : null;
    }

    /// <summary>
    /// The output size: both given → as given; one given → the other from the picture's aspect ratio (rounded, at
    /// least 1, at most KVS's maximum for that side); none → the picture's own size.
    /// </summary>
    public static (int Width, int Height) TargetSize(int sourceWidth, int sourceHeight, int? width, int? height) => (width, height) switch
    {
        ({ } w, { } h) => (w, h),
        ({ } w, null) => (w, Scale(w, sourceHeight, sourceWidth, ImagesRequest.MaxHeight)),
        (null, { } h) => (Scale(h, sourceWidth, sourceHeight, ImagesRequest.MaxWidth), h),
        _ => (sourceWidth, sourceHeight),
    };

    private static int Scale(int given, int otherSource, int givenSource, int max) =>
        (int)Math.Clamp(Math.Round((double)given * otherSource / givenSource, MidpointRounding.AwayFromZero), 1, max);

    /// <summary>Index of the last frame presented at or before <paramref name="offsetMs"/>, or -1 if none is.</summary>
    private static int LastAtOrBefore(List<long> times, long offsetMs)
    {
        var i = times.BinarySearch(offsetMs);
        if (i >= 0)
        {
            // Equal timestamps: take the last of them.
            while (i + 1 < times.Count && times[i + 1] == offsetMs)
            {
                i++;
            }

            return i;
        }

        return ~i - 1;
    }

    /// <summary>Presentation times of the video track's frames, in ms from the cluster's timestamp, ascending.</summary>
    private static List<long> FrameTimes(ReadOnlyMemory<byte> document, ulong track, ulong timestampScale)
    {
        var times = new List<long>(64);
        var scale = (double)timestampScale / 1_000_000;
        new MatroskaReader().ReadAll(document, (MatroskaReader r, in MatroskaEvent e) =>
        {
            if (e.Kind == MatroskaEventKind.Frame && e.Frame.TrackNumber == track)
            {
                times.Add((long)Math.Round((e.Frame.Timestamp - r.ClusterTimestamp) * scale));
            }
        });
        times.Sort();
        return times;
    }

    private string WriteTemp(ReadOnlySpan<byte> document)
    {
        Directory.CreateDirectory(tempDirectory);
        var path = Path.Combine(tempDirectory, $"{Guid.NewGuid():N}.mkv");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(document);
        return path;
    }

    private void DeleteTemp(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            ImagesLog.TempNotDeleted(logger, e, path);
        }
        catch (UnauthorizedAccessException e)
        {
            ImagesLog.TempNotDeleted(logger, e, path);
        }
    }

    /// <summary>Deletes what a previous run left in the temp area (a crash between writing and unlinking).</summary>
    public void CleanTempArea()
    {
        if (!Directory.Exists(tempDirectory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(tempDirectory, "*.mkv"))
        {
            DeleteTemp(file);
        }
    }
}
