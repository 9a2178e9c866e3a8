using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using VideoStreams.Producer.Sources;

namespace VideoStreams.Benchmarks.Latency;

/// <summary>
/// For scale: ffmpeg's own HLS muxer as the origin. This process draws 640x360 frames at 30 fps with the capture time
/// burned in by the same writer as the agent's synthetic source (<see cref="SyntheticPattern"/>), paced by the wall
/// clock, into <c>ffmpeg -f rawvideo … -c:v libx264 -preset veryfast -tune zerolatency -bf 0 -g 30 -f hls
/// -hls_segment_type fmp4 -hls_time 1 -hls_flags program_date_time+delete_segments+independent_segments</c>, and
/// Kestrel serves its folder as static files (no caching, CORS open) on a free port of 127.0.0.1.
/// </summary>
internal sealed class FfmpegHlsOrigin : IAsyncDisposable
{
    private readonly Process _ffmpeg;
    private readonly WebApplication _web;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _camera;
    private readonly Task<string> _errors;

    private FfmpegHlsOrigin(Process ffmpeg, WebApplication web, Uri playlist)
    {
        _ffmpeg = ffmpeg;
        _web = web;
        Playlist = playlist;
        _errors = ffmpeg.StandardError.ReadToEndAsync();
        _camera = Task.Run(() => CameraAsync(_stop.Token));
    }

    /// <summary>The playlist hls.js is given.</summary>
    public Uri Playlist { get; }

    public static async Task<FfmpegHlsOrigin> StartAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("ffmpeg")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var argument in (string[])[
            "-hide_banner", "-loglevel", "error",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{AgentCameras.Width}x{AgentCameras.Height}", "-framerate", $"{AgentCameras.FrameRate}", "-i", "pipe:0",
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "main", "-pix_fmt", "yuv420p",
            "-b:v", "1000k", "-maxrate", "1000k", "-bufsize", "2000k", "-bf", "0",
            "-g", $"{AgentCameras.FrameRate}", "-keyint_min", $"{AgentCameras.FrameRate}", "-sc_threshold", "0",
            "-f", "hls", "-hls_time", "1", "-hls_list_size", "10", "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
            "-hls_flags", "program_date_time+delete_segments+independent_segments", "-hls_segment_filename", "segment-%05d.m4s", "index.m3u8"])
        {
            start.ArgumentList.Add(argument);
        }

        var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("could not start ffmpeg");

        var port = AgentCameras.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var web = builder.Build();
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".m3u8"] = "application/vnd.apple.mpegurl";
        types.Mappings[".m4s"] = "video/iso.segment";
        types.Mappings[".mp4"] = "video/mp4";
        web.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            ContentTypeProvider = types,
            OnPrepareResponse = context =>
            {
                context.Context.Response.Headers.AccessControlAllowOrigin = "*";
                context.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
        await web.StartAsync();
        return new FfmpegHlsOrigin(ffmpeg, web, new Uri($"http://127.0.0.1:{port}/index.m3u8"));
    }

    /// <summary>Frames at the frame rate, each with the wall-clock time it was drawn burned in; a moving bar below the strip.</summary>
    private async Task CameraAsync(CancellationToken stop)
    {
        var (width, height, fps) = (AgentCameras.Width, AgentCameras.Height, AgentCameras.FrameRate);
        var frame = new byte[width * height * 3];
        var input = _ffmpeg.StandardInput.BaseStream;
        var clock = Stopwatch.StartNew();
        try
        {
            for (long i = 0; !stop.IsCancellationRequested; i++)
            {
                var due = TimeSpan.FromSeconds(i / (double)fps) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, stop);
                }

                Array.Fill(frame, (byte)80);
                var bar = (int)(i * 8 % width);
                for (var y = height / 2; y < (height / 2) + 40; y++)
                {
                    frame.AsSpan(((y * width) + bar) * 3, Math.Min(24, width - bar) * 3).Fill(220);
                }

                SyntheticPattern.WriteCaptureTime(frame, width, height, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await input.WriteAsync(frame, stop);
                await input.FlushAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // ffmpeg went away; its stderr says why.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _camera;
        try
        {
            _ffmpeg.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await _ffmpeg.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _ffmpeg.Kill(entireProcessTree: true);
            }
        }

        await _errors;
        _ffmpeg.Dispose();
        await _web.StopAsync();
        await _web.DisposeAsync();
        _stop.Dispose();
    }
}
