using System.Diagnostics.CodeAnalysis;

namespace VideoStreams.Media;

/// <summary>Throw sites kept out of hot methods so those stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Throw(MediaFormatError error, string message, long offset = -1) =>
        throw new MediaFormatException(error, message, offset);

    [DoesNotReturn]
    public static T Throw<T>(MediaFormatError error, string message, long offset = -1) =>
        throw new MediaFormatException(error, message, offset);
}
