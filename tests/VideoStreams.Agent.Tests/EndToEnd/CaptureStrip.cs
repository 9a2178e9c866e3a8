using System.Reflection;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// Reads the capture wall-clock time that the synthetic source burns into each picture (its machine-readable strip)
/// through the sources' own public decoder, <c>SyntheticPattern.TryReadCaptureTime(bgr24, width, height, out epochMs)</c>.
/// </summary>
internal static class CaptureStrip
{
    private delegate bool TryReadDelegate(ReadOnlySpan<byte> bgr24, int width, int height, out long epochMs);

    // Bound by name until the sources branch is merged here; then this becomes a direct call.
    private static readonly Lazy<TryReadDelegate?> Decoder = new(() =>
    {
        var type = typeof(VideoStreams.Producer.Sources.IVideoSource).Assembly.GetTypes().FirstOrDefault(t => t.Name == "SyntheticPattern");
        var method = type?.GetMethod("TryReadCaptureTime", BindingFlags.Public | BindingFlags.Static);
        return method is null ? null : method.CreateDelegate<TryReadDelegate>();
    });

    /// <summary>True when the decoder exists in the producer library.</summary>
    public static bool Available => Decoder.Value is not null;

    /// <summary>The capture time burned into a BGR24 picture, or false when the strip cannot be read.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bgr24, int width, int height, out long epochMs)
    {
        var decoder = Decoder.Value ?? throw new InvalidOperationException("SyntheticPattern.TryReadCaptureTime is missing from VideoStreams.Producer");
        return decoder(bgr24, width, height, out epochMs);
    }
}
