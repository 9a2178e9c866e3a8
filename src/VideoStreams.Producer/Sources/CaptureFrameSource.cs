using System.Globalization;
using OpenCvSharp;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// Raw pictures from OpenCV's <see cref="VideoCapture"/>: a V4L2 camera (index or device path), or a file or URL that
/// its bundled FFmpeg decodes. A camera paces itself; a file is paced at its own frame rate and can loop.
/// </summary>
internal sealed class CaptureFrameSource : IRawFrameSource
{
    private readonly string _input;
    private readonly bool _isCamera;
    private readonly bool _loop;
    private readonly TimeProvider _time;
    private readonly int _requestedWidth;
    private readonly int _requestedHeight;
    private readonly double _requestedFrameRate;
    private readonly Mat _discard = new(); // also the decode target
    private VideoCapture? _capture;
    private RealTimePacer? _pacer;
    private long _startTimestamp;
    private long _slot;
    private bool _first = true;
    private long _lastTimestamp;

    private CaptureFrameSource(string input, bool isCamera, bool loop, int width, int height, double frameRate, TimeProvider time)
    {
        _input = input;
        _isCamera = isCamera;
        _loop = loop;
        _requestedWidth = width;
        _requestedHeight = height;
        _requestedFrameRate = frameRate;
        _time = time;
    }

    public string Description => _isCamera ? $"camera {_input}" : $"{_input} (decoded)";

    public int Width { get; private set; }

    public int Height { get; private set; }

    public double FrameRate { get; private set; }

    /// <summary>Loops at the end of a file.</summary>
    public int Loops { get; private set; }

    public static CaptureFrameSource Camera(string device, int width, int height, double frameRate, TimeProvider time) =>
        new(device, isCamera: true, loop: false, width, height, frameRate, time);

    public static CaptureFrameSource Media(string pathOrUrl, bool loop, TimeProvider time) =>
        new(pathOrUrl, isCamera: false, loop, 0, 0, 0, time);

    public void Open()
    {
        if (_isCamera)
        {
            OpenCamera();
        }
        else
        {
            OpenMedia();
        }

        Width = _capture!.FrameWidth;
        Height = _capture.FrameHeight;
        var fps = _capture.Fps;
        FrameRate = double.IsFinite(fps) && fps is > 0 and <= 240 ? fps : _isCamera && _requestedFrameRate > 0 ? _requestedFrameRate : 25;
        if (Width <= 0 || Height <= 0)
        {
            throw new VideoSourceException($"{Description}: opened, but it reports no frame size.");
        }

        if (!_isCamera)
        {
            _pacer = new RealTimePacer(_time);
            _startTimestamp = _time.GetTimestamp();
        }
    }

    public async ValueTask<long> NextFrameAsync(RawFrame? frame, CancellationToken cancellationToken)
    {
        if (_pacer is not null && !_first)
        {
            await _pacer.WaitForSlotAsync(_startTimestamp, TimeSpan.FromSeconds(1 / FrameRate), ref _slot, cancellationToken).ConfigureAwait(false);
        }

        _first = false;
        // OpenCV decodes into its own buffer (a backend may swap the Mat's data); the copy into the pooled frame is
        // one memcpy, cheap next to the decode.
        var target = _discard;
        if (!_capture!.Read(target) || target.Empty())
        {
            if (_isCamera)
            {
                throw new VideoSourceException($"{Description}: the device stopped delivering frames.");
            }

            if (!_loop)
            {
                return -1;
            }

            Loops++;
            _capture.Set(VideoCaptureProperties.PosFrames, 0);
            if (!_capture.Read(target) || target.Empty())
            {
                return -1;
            }
        }

        if (frame is not null)
        {
            if (target.Width != frame.Width || target.Height != frame.Height || target.Type() != MatType.CV_8UC3)
            {
                throw new VideoSourceException($"{Description}: the frame size changed to {target.Width}x{target.Height} (the encoder was started at {frame.Width}x{frame.Height}).");
            }

            target.CopyTo(frame.Mat);
        }

        // Strictly increasing, as the stored video's timestamps must be.
        _lastTimestamp = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastTimestamp + 1);
        return _lastTimestamp;
    }

    public void Dispose()
    {
        _pacer?.Dispose();
        _capture?.Dispose();
        _discard.Dispose();
    }

    private void OpenCamera()
    {
        VideoCapture capture;
        if (int.TryParse(_input, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            if (OperatingSystem.IsLinux() && !File.Exists($"/dev/video{index}"))
            {
                throw new VideoSourceException($"camera {_input}: /dev/video{index} does not exist (no such capture device).");
            }

            capture = new VideoCapture(index, VideoCaptureAPIs.V4L2);
        }
        else
        {
            if (!File.Exists(_input))
            {
                throw new VideoSourceException($"camera {_input}: the device does not exist.");
            }

            capture = new VideoCapture(_input, VideoCaptureAPIs.V4L2);
        }

        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new VideoSourceException($"camera {_input}: the device exists but could not be opened as a V4L2 capture device (busy, no permission, or not a camera).");
        }

        if (_requestedWidth > 0 && _requestedHeight > 0)
        {
            capture.Set(VideoCaptureProperties.FrameWidth, _requestedWidth);
            capture.Set(VideoCaptureProperties.FrameHeight, _requestedHeight);
        }

        if (_requestedFrameRate > 0)
        {
            capture.Set(VideoCaptureProperties.Fps, _requestedFrameRate);
        }

        _capture = capture;
    }

    private void OpenMedia()
    {
        var isUrl = _input.Contains("://", StringComparison.Ordinal);
        if (!isUrl && !File.Exists(_input))
        {
            throw new VideoSourceException($"file {_input}: does not exist.");
        }

        var capture = new VideoCapture(_input, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            capture.Dispose();
            throw new VideoSourceException(isUrl
                ? $"url {_input}: could not be opened (unreachable, refused, or not a video)."
                : $"file {_input}: could not be opened as a video.");
        }

        _capture = capture;
    }
}
