using VideoStreams.Media.Mp4;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>Hand-made tracks and samples for structure tests that need no real media.</summary>
internal static class Synthetic
{
    // version 1, High 3.1, 4-byte lengths, one 4-byte SPS, one 4-byte PPS: shaped right, content irrelevant here.
    public static readonly byte[] AvcC = [1, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x00, 0x04, 0x67, 0x64, 0x00, 0x1F, 0x01, 0x00, 0x04, 0x68, 0xEB, 0xE3, 0xCB];

    // AAC LC, 48 kHz, stereo.
    public static readonly byte[] Asc = [0x11, 0x90];

    public static Mp4Track Video(uint id = 1, long delayMs = 0, params (int Width, int Height)[] sizes) => new()
    {
        TrackId = id,
        Kind = Mp4TrackKind.Video,
        Timescale = 90000,
        SampleDescriptions = (sizes.Length == 0 ? [(1280, 720)] : sizes)
            .Select(s => (Mp4SampleDescription)new AvcSampleDescription(s.Width, s.Height, AvcC)).ToList(),
        PresentationDelayMilliseconds = delayMs,
    };

    public static Mp4Track Audio(uint id = 2, string language = "eng") => new()
    {
        TrackId = id,
        Kind = Mp4TrackKind.Audio,
        Timescale = 48000,
        SampleDescriptions = [new AacSampleDescription(48000, 2, Asc)],
        Language = language,
    };

    /// <summary>30 fps video in 90 kHz, a sync sample every <paramref name="gop"/>, sizes varying.</summary>
    public static Mp4Sample[] VideoSamples(int count, int gop = 30, Func<int, int>? offset = null, Func<int, int>? size = null) =>
        Enumerable.Range(0, count)
            .Select(i => new Mp4Sample(i * 3000L, 3000, offset?.Invoke(i) ?? 0, size?.Invoke(i) ?? (100 + (i % 7)), i % gop == 0))
            .ToArray();

    /// <summary>AAC frames of 1024 samples at 48 kHz.</summary>
    public static Mp4Sample[] AudioSamples(int count, int size = 50) =>
        Enumerable.Range(0, count).Select(i => new Mp4Sample(i * 1024L, 1024, 0, size + (i % 3), true)).ToArray();

    public static ReadOnlyMemory<Mp4Sample>[] Lists(params Mp4Sample[][] samples) =>
        samples.Select(s => (ReadOnlyMemory<Mp4Sample>)s).ToArray();
}
