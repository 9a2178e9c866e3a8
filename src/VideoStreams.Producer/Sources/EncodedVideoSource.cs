using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using FFMpegCore;
using FFMpegCore.Enums;
using Microsoft.Extensions.Logging;
using VideoStreams.Producer.Fragmenting;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// Raw frames (camera, synthetic pattern, decoded file) encoded by the system ffmpeg's libx264 through FFMpegCore.
/// The capture loop fills a pool of <see cref="PoolSize"/> frame buffers; the pipe source writes them to ffmpeg and
/// returns them. When no buffer is free, the encoder is behind: the picture is captured and dropped (counted), so
/// memory stays bounded and the capture clock stays true.
/// </summary>
internal sealed class EncodedVideoSource : IVideoSource
{
    private const int PoolSize = 4;

    private readonly IRawFrameSource _raw;
    private readonly EncoderSettings _settings;
    private readonly TimeSpan _fragmentDuration;
    private readonly ILogger _logger;
    private readonly SourceMetrics _metrics;
    private readonly string _name;

    public EncodedVideoSource(IRawFrameSource raw, EncoderSettings settings, TimeSpan fragmentDuration, string name, ILogger logger, SourceMetrics metrics)
    {
        _raw = raw;
        _settings = settings;
        _fragmentDuration = fragmentDuration;
        _name = name;
        _logger = logger;
        _metrics = metrics;
    }

    public string Description => $"{_raw.Description} (libx264 {_settings.BitrateKbps} kb/s)";

    /// <summary>Raw frames captured, encoded, and dropped because the encoder was behind.</summary>
    internal SourceMetrics Metrics => _metrics;

    /// <summary>The GOP for a frame rate: the configured one, or one fragment's worth of frames.</summary>
    internal int GopFor(double frameRate) =>
        _settings.GopFrames ?? Math.Max(1, (int)Math.Round(frameRate * _fragmentDuration.TotalSeconds));

    public async Task RunAsync(IAccessUnitSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var ffmpeg = FfmpegExecutable.Resolve(_settings.FfmpegPath, Description);
        try
        {
            _raw.Open();
        }
        catch (VideoSourceException e)
        {
            SourceLog.Failed(_logger, _name, e.Message);
            throw;
        }

        var (width, height, frameRate) = (_raw.Width, _raw.Height, _raw.FrameRate);
        var details = string.Create(CultureInfo.InvariantCulture, $"{_raw.Description}, {width}x{height}@{frameRate:0.##}");
        SourceLog.Opened(_logger, _name, details);

        var frames = new RawFrame[PoolSize];
        var free = Channel.CreateBounded<RawFrame>(new BoundedChannelOptions(PoolSize) { SingleReader = true });
        var filled = Channel.CreateBounded<RawFrame>(new BoundedChannelOptions(PoolSize) { SingleReader = true, SingleWriter = true });
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = new RawFrame(width, height);
            free.Writer.TryWrite(frames[i]);
        }

        var timestamps = new TimestampFifo();
        using var splitter = new AccessUnitSplitter();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stderr = new StderrTail();
        var lastTimestamp = 0L;
        ExceptionDispatchInfo? sinkError = null;
        var pipeSource = new RawFramePipeSource(width, height, frameRate, filled.Reader, free.Writer, timestamps);
        var pipeSink = new AnnexBPipeSink(splitter, unit =>
        {
            if (timestamps.TryDequeue(out var ts))
            {
                lastTimestamp = ts;
            }

            _metrics.FrameEncoded();
            try
            {
                sink.OnAccessUnit(unit, lastTimestamp, AccessUnitFormat.AnnexB);
            }
            catch (Exception e)
            {
                // The sink's failure is the caller's to see as it was thrown, not as an encoder failure.
                sinkError ??= ExceptionDispatchInfo.Capture(e);
                linked.Cancel();
                throw;
            }
        });

        var processor = FFMpegArguments
            .FromPipeInput(pipeSource)
            .OutputToPipe(pipeSink, o => o.WithCustomArgument(EncoderArguments(frameRate)))
            .WithLogLevel(FFMpegLogLevel.Error)
            .NotifyOnStandardError(stderr.Add)
            .CancellableThrough(linked.Token, TimeSpan.Zero);
        SourceLog.EncoderStarted(_logger, _name, ffmpeg, processor.Arguments);

        Task<FFMpegResult>? encode = null;
        Task? capture = null;
        try
        {
            encode = processor.ProcessAsynchronously(throwOnError: false, new FFOptions { BinaryFolder = Path.GetDirectoryName(ffmpeg)! }, CancellationToken.None);
            capture = Task.Run(
                async () =>
                {
                    await Task.WhenAny(pipeSource.Connected, encode).WaitAsync(linked.Token).ConfigureAwait(false);
                    await CaptureLoopAsync(free, filled.Writer, linked.Token).ConfigureAwait(false);
                },
                CancellationToken.None);
            if (await Task.WhenAny(encode, capture).ConfigureAwait(false) == capture)
            {
                if (capture.IsFaulted)
                {
                    await linked.CancelAsync().ConfigureAwait(false);
                }

                // The source ended (or we are stopping): no more frames, so ffmpeg drains and exits.
                filled.Writer.TryComplete();
                await capture.ConfigureAwait(false);
            }
            else
            {
                await linked.CancelAsync().ConfigureAwait(false);
                await IgnoreCancellation(capture).ConfigureAwait(false);
            }

            var result = await encode.ConfigureAwait(false);
            sinkError?.Throw();
            if (cancellationToken.IsCancellationRequested)
            {
                SourceLog.Stopped(_logger, _name, _metrics.Captured);
                return;
            }

            if (!result.Success)
            {
                var message = $"{Description}: ffmpeg exited with code {result.ExitCode}: {stderr}";
                SourceLog.EncoderFailed(_logger, _name, result.ExitCode, stderr.ToString());
                throw new VideoSourceException(message);
            }

            SourceLog.EncoderExited(_logger, _name, result.ExitCode, _metrics.Encoded);
            SourceLog.Ended(_logger, _name, _metrics.Captured);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && sinkError is null)
        {
            SourceLog.Stopped(_logger, _name, _metrics.Captured);
        }
        catch (Exception) when (sinkError is not null)
        {
            sinkError.Throw();
        }
        catch (Exception e) when (e is not VideoSourceException and not OperationCanceledException)
        {
            SourceLog.EncoderFailed(_logger, _name, -1, $"{e.Message}; {stderr}");
            throw new VideoSourceException($"{Description}: the encoder failed: {e.Message}; ffmpeg said: {stderr}", e);
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            filled.Writer.TryComplete();
            await IgnoreAll(capture).ConfigureAwait(false);
            await IgnoreAll(encode).ConfigureAwait(false);
            foreach (var frame in frames)
            {
                frame?.Dispose();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _raw.Dispose();
        _metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    internal string EncoderArguments(double frameRate)
    {
        var gop = GopFor(frameRate);
        var k = _settings.BitrateKbps;
        // zerolatency: no lookahead, no frame threading delay; -bf 0: output order = input order (the timestamp FIFO
        // relies on it); fixed GOP without scene cuts: an IDR exactly every fragment; aud=1: access units are split
        // at delimiters; repeat-headers=1: every IDR carries SPS/PPS, so each fragment decodes on its own.
        return string.Create(
            CultureInfo.InvariantCulture,
            $"-an -c:v libx264 -preset {_settings.Preset} -tune zerolatency -profile:v {_settings.Profile} -pix_fmt yuv420p -b:v {k}k -maxrate {k}k -bufsize {2 * k}k -g {gop} -keyint_min {gop} -sc_threshold 0 -bf 0 -fps_mode passthrough -x264-params aud=1:repeat-headers=1");
    }

    private async Task CaptureLoopAsync(Channel<RawFrame> free, ChannelWriter<RawFrame> filled, CancellationToken cancellationToken)
    {
        var nextDropLog = 1L;
        while (!cancellationToken.IsCancellationRequested)
        {
            free.Reader.TryRead(out var frame);
            long timestamp;
            try
            {
                timestamp = await _raw.NextFrameAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ReturnFrame(frame);
                throw;
            }

            if (timestamp < 0)
            {
                ReturnFrame(frame);
                return;
            }

            _metrics.FrameCaptured();
            if (frame is null)
            {
                _metrics.FrameDropped();
                if (_metrics.Dropped >= nextDropLog)
                {
                    SourceLog.FramesDropped(_logger, _name, _metrics.Dropped);
                    nextDropLog *= 10;
                }

                continue;
            }

            frame.TimestampMs = timestamp;
            filled.TryWrite(frame);
        }

        void ReturnFrame(RawFrame? frame)
        {
            if (frame is not null)
            {
                // The pool's capacity equals the number of frames, so this always fits.
                free.Writer.TryWrite(frame);
            }
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task IgnoreAll(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already reported (or we are stopping); the first failure is the one that matters.
        }
    }
}
