using OpenCvSharp;

namespace VideoStreams.Producer.Sources;

/// <summary>
/// A moving test pattern paced in real time: colour bars drawn once, a box that moves one step per frame, the capture
/// time as text and as the <see cref="SyntheticPattern"/> strip. Each frame copies the bars and draws only what
/// changes; the time text is built from a string per second and a cached one per millisecond, so nothing is
/// allocated per frame.
/// </summary>
internal sealed class SyntheticFrameSource : IRawFrameSource
{
    private static readonly string[] Milliseconds = Enumerable.Range(0, 1000).Select(i => "." + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private readonly TimeProvider _time;
    private readonly Mat _background;
    private readonly double _fontScale;
    private readonly int _thickness;
    private readonly Point _textOrigin;
    private readonly int _textHeight;
    private readonly int _boxSize;
    private RealTimePacer? _pacer;
    private long _startTimestamp;
    private long _slot;
    private long _frameIndex;
    private long _lastTimestamp;
    private long _secondShown = -1;
    private string _secondText = "";
    private int _millisecondsX;

    public SyntheticFrameSource(int width, int height, double frameRate, TimeProvider time)
    {
        if (width < SyntheticPattern.MinWidth || height < SyntheticPattern.MinHeight)
        {
            throw new ArgumentException($"A synthetic source needs at least {SyntheticPattern.MinWidth}x{SyntheticPattern.MinHeight} pixels, not {width}x{height}.");
        }

        if (!double.IsFinite(frameRate) || frameRate <= 0 || frameRate > 240)
        {
            throw new ArgumentException($"A synthetic source needs a frame rate above 0 and at most 240, not {frameRate}.");
        }

        Width = width;
        Height = height;
        FrameRate = frameRate;
        _time = time;
        _fontScale = Math.Max(0.4, height / 480.0);
        _thickness = Math.Max(1, (int)Math.Round(_fontScale * 1.5));
        var size = Cv2.GetTextSize("0000-00-00 00:00:00.000", HersheyFonts.HersheySimplex, _fontScale, _thickness, out var baseline);
        _textHeight = size.Height + baseline + 8;
        _textOrigin = new Point(8, SyntheticPattern.StripHeight(height) + 4 + size.Height + 4);
        _boxSize = Math.Max(16, height / 6);
        _background = DrawBackground(width, height);
    }

    public string Description => $"synthetic {Width}x{Height}@{FrameRate:0.##}";

    public int Width { get; }

    public int Height { get; }

    public double FrameRate { get; }

    public void Open()
    {
        _pacer ??= new RealTimePacer(_time);
        _startTimestamp = _time.GetTimestamp();
    }

    public async ValueTask<long> NextFrameAsync(RawFrame? frame, CancellationToken cancellationToken)
    {
        if (_frameIndex > 0)
        {
            await _pacer!.WaitForSlotAsync(_startTimestamp, TimeSpan.FromSeconds(1 / FrameRate), ref _slot, cancellationToken).ConfigureAwait(false);
        }

        // Two pictures never share a millisecond: after a stall the pacing timer fires at once for the missed tick,
        // and equal times would give the stored video equal timestamps, which muxers reject.
        var now = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _lastTimestamp + 1);
        _lastTimestamp = now;
        var index = _frameIndex++;
        if (frame is not null)
        {
            Draw(frame, index, now);
        }

        return now;
    }

    public void Dispose()
    {
        _pacer?.Dispose();
        _background.Dispose();
    }

    private void Draw(RawFrame frame, long index, long epochMs)
    {
        _background.CopyTo(frame.Mat);
        var mat = frame.Mat;

        // The moving box: bounces across the lower half, so motion vectors have something to do.
        var travel = Width - _boxSize;
        var step = (int)(index * 4 % (2 * travel));
        var x = step < travel ? step : (2 * travel) - step;
        var y = (Height / 2) + ((Height / 2) - _boxSize) / 2;
        mat.Rectangle(new Rect(x, y, _boxSize, _boxSize), Scalar.White, -1);
        mat.Rectangle(new Rect(x + (_boxSize / 4), y + (_boxSize / 4), _boxSize / 2, _boxSize / 2), new Scalar(0, 0, 255), -1);

        // The capture time as text, on a black band for contrast.
        var second = epochMs / 1000;
        if (second != _secondShown)
        {
            _secondShown = second;
            _secondText = DateTimeOffset.FromUnixTimeSeconds(second).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            _millisecondsX = _textOrigin.X + Cv2.GetTextSize(_secondText, HersheyFonts.HersheySimplex, _fontScale, _thickness, out _).Width;
        }

        mat.PutText(_secondText, _textOrigin, HersheyFonts.HersheySimplex, _fontScale, Scalar.White, _thickness, LineTypes.AntiAlias);
        mat.PutText(Milliseconds[(int)(epochMs % 1000)], new Point(_millisecondsX, _textOrigin.Y), HersheyFonts.HersheySimplex, _fontScale, Scalar.White, _thickness, LineTypes.AntiAlias);

        SyntheticPattern.WriteCaptureTime(frame.Data, Width, Height, epochMs);
    }

    private Mat DrawBackground(int width, int height)
    {
        var mat = new Mat(height, width, MatType.CV_8UC3, Scalar.Black);
        Scalar[] bars =
        [
            new(192, 192, 192), new(0, 192, 192), new(192, 192, 0), new(0, 192, 0), new(192, 0, 192), new(0, 0, 192), new(192, 0, 0),
        ];
        var top = SyntheticPattern.StripHeight(height) + _textHeight + 8;
        for (var i = 0; i < bars.Length; i++)
        {
            var x0 = i * width / bars.Length;
            var x1 = (i + 1) * width / bars.Length;
            mat.Rectangle(new Rect(x0, top, x1 - x0, (height / 2) - top), bars[i], -1);
        }

        // A grey ramp under the bars.
        for (var i = 0; i < 16; i++)
        {
            var x0 = i * width / 16;
            var x1 = (i + 1) * width / 16;
            var v = i * 255 / 15;
            mat.Rectangle(new Rect(x0, height - (height / 8), x1 - x0, height / 8), new Scalar(v, v, v), -1);
        }

        return mat;
    }
}
