using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// H.264 that already exists, passed through without decoding: a Matroska file read by our own
/// <see cref="MatroskaReader"/>, or anything else ffmpeg can open (MP4, RTSP, HTTP) remuxed by
/// <c>ffmpeg -c copy -f matroska pipe:1</c> and read the same way. Frames keep their bytes; the track's avcC goes to
/// <see cref="IAccessUnitSink.OnDecoderConfiguration"/> first. Each frame's time is the capture clock at the start
/// plus its presentation time, and frames are released in real time; a looped file adds its duration each loop.
/// </summary>
internal sealed partial class PassthroughVideoSource : IVideoSource
{
    private readonly string _input;
    private readonly bool _isUrl;
    private readonly bool _loop;
    private readonly string _ffmpegPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SourceMetrics _metrics;
    private readonly string _name;
    private readonly RealTimePacer _pacer;
    private byte[] _frame = ArrayPool<byte>.Shared.Rent(256 * 1024);

    public PassthroughVideoSource(string input, bool isUrl, bool loop, string ffmpegPath, string name, TimeProvider time, ILogger logger, SourceMetrics metrics)
    {
        _input = input;
        _isUrl = isUrl;
        _loop = loop && !isUrl;
        _ffmpegPath = ffmpegPath;
        _name = name;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _pacer = new RealTimePacer(time);
    }

    public string Description => _isUrl ? $"url {_input} (passthrough)" : $"file {_input} ({(_loop ? "looped, " : "")}passthrough)";

    /// <summary>True when the input is read by our Matroska reader directly (no ffmpeg child).</summary>
    internal bool ReadsMatroskaDirectly =>
        !_isUrl && (_input.EndsWith(".mkv", StringComparison.OrdinalIgnoreCase) || _input.EndsWith(".webm", StringComparison.OrdinalIgnoreCase) || _input.EndsWith(".mka", StringComparison.OrdinalIgnoreCase));

    public async Task RunAsync(IAccessUnitSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!_isUrl && !File.Exists(_input))
        {
            var message = $"file {_input}: does not exist.";
            SourceLog.Failed(_logger, _name, message);
            throw new VideoSourceException(message);
        }

        var ffmpeg = ReadsMatroskaDirectly ? null : FfmpegExecutable.Resolve(_ffmpegPath, Description);
        var state = new PlayState
        {
            StartTimestamp = _time.GetTimestamp(),
            StartEpochMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        SourceLog.Opened(_logger, _name, Description);
        try
        {
            for (var loop = 0; ; loop++)
            {
                var frames = ffmpeg is null
                    ? await PlayFileAsync(sink, state, cancellationToken).ConfigureAwait(false)
                    : await PlayRemuxedAsync(ffmpeg, sink, state, cancellationToken).ConfigureAwait(false);
                if (frames == 0)
                {
                    throw new VideoSourceException($"{Description}: no H.264 frames in the input.");
                }

                if (!_loop)
                {
                    SourceLog.Ended(_logger, _name, _metrics.PassedThrough);
                    return;
                }

                state.NextLoop();
                _metrics.Looped();
                SourceLog.Looped(_logger, _name, loop + 1, (long)state.OffsetMs);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            SourceLog.Stopped(_logger, _name, _metrics.PassedThrough);
        }
        catch (VideoSourceException e)
        {
            SourceLog.Failed(_logger, _name, e.Message);
            throw;
        }
        catch (VideoStreams.Media.MediaFormatException e)
        {
            SourceLog.Failed(_logger, _name, e.Message);
            throw new VideoSourceException($"{Description}: not readable as H.264 in Matroska: {e.Message}", e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _pacer.Dispose();
        _metrics.Dispose();
        if (_frame.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_frame);
            _frame = [];
        }

        if (_convert.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_convert);
            _convert = [];
        }

        return ValueTask.CompletedTask;
    }

    private async Task<long> PlayFileAsync(IAccessUnitSink sink, PlayState state, CancellationToken cancellationToken)
    {
        var stream = new FileStream(_input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            return await PlayMatroskaAsync(stream, sink, state, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<long> PlayRemuxedAsync(string ffmpeg, IAccessUnitSink sink, PlayState state, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in RemuxArguments())
        {
            psi.ArgumentList.Add(argument);
        }

        var commandLine = string.Join(' ', psi.ArgumentList);
        SourceLog.RemuxStarted(_logger, _name, ffmpeg, commandLine);
        using var process = new Process { StartInfo = psi };
        var stderr = new StderrTail();
        process.ErrorDataReceived += (_, e) => stderr.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VideoSourceException($"{Description}: could not start ffmpeg ({ffmpeg}): {e.Message}", e);
        }

        process.BeginErrorReadLine();
        try
        {
            long frames;
            try
            {
                frames = await PlayMatroskaAsync(process.StandardOutput.BaseStream, sink, state, cancellationToken).ConfigureAwait(false);
            }
            catch (VideoStreams.Media.MediaFormatException e)
            {
                // ffmpeg cut short (killed, or its input broke): its own words say more than the torn Matroska.
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
                throw new VideoSourceException($"{Description}: ffmpeg's output broke off ({e.Message}); ffmpeg said: {stderr}", e);
            }

            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new VideoSourceException($"{Description}: ffmpeg exited with code {process.ExitCode}: {stderr}");
            }

            return frames;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private List<string> RemuxArguments()
    {
        List<string> args = ["-nostdin", "-hide_banner", "-loglevel", "error"];
        if (_isUrl)
        {
            if (_input.StartsWith("rtsp", StringComparison.OrdinalIgnoreCase))
            {
                args.AddRange(["-rtsp_transport", "tcp", "-timeout", "10000000"]);
            }
            else
            {
                args.AddRange(["-rw_timeout", "10000000"]);
            }
        }

        args.AddRange(["-i", _input, "-map", "0:v:0", "-c", "copy", "-f", "matroska", "-live", "1", "-cluster_time_limit", "1000", "-flush_packets", "1", "pipe:1"]);
        return args;
    }

    /// <summary>Where a play-through is on the clock, across loops.</summary>
    private sealed class PlayState
    {
        public long StartTimestamp { get; init; }

        public long StartEpochMs { get; init; }

        /// <summary>Added to every presentation time: the durations of the loops played before.</summary>
        public double OffsetMs { get; private set; }

        /// <summary>The first frame's presentation time in this loop (ms), or NaN before it.</summary>
        public double FirstPtsMs { get; set; } = double.NaN;

        /// <summary>The highest presentation time seen in this loop (ms).</summary>
        public double MaxPtsMs { get; set; } = double.NegativeInfinity;

        /// <summary>The nominal frame duration (ms): the track's DefaultDuration, or the last step between presentation times.</summary>
        public double FrameDurationMs { get; set; }

        public void NextLoop()
        {
            if (!double.IsNaN(FirstPtsMs))
            {
                OffsetMs += MaxPtsMs - FirstPtsMs + Math.Max(FrameDurationMs, 1);
            }

            FirstPtsMs = double.NaN;
            MaxPtsMs = double.NegativeInfinity;
        }
    }
}
