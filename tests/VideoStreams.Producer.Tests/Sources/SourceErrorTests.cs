using VideoStreams.Producer.Sources;

namespace VideoStreams.Producer.Tests.Sources;

public sealed class SourceErrorTests
{
    [Theory]
    [InlineData("/dev/video9")]
    [InlineData("9")]
    public async Task A_missing_camera_fails_with_a_message_naming_the_device(string device)
    {
        Assert.False(File.Exists("/dev/video9"));
        var spec = new VideoSourceSpec { Type = VideoSourceType.Camera, Path = device, Width = 320, Height = 240, FrameRate = 15 };
        await using var source = VideoSources.Create(spec, new EncoderSettings(), TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<VideoSourceException>(() => source.RunAsync(new FragmentingSink(), CancellationToken.None));

        Assert.Contains("/dev/video9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_ffmpeg_fails_with_a_message_naming_it()
    {
        var ffmpeg = "/opt/no-such-dir/ffmpeg";
        var spec = new VideoSourceSpec { Type = VideoSourceType.Synthetic, Width = 320, Height = 240 };
        await using var source = VideoSources.Create(spec, new EncoderSettings { FfmpegPath = ffmpeg }, TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<VideoSourceException>(() => source.RunAsync(new FragmentingSink(), CancellationToken.None));

        Assert.Contains(ffmpeg, e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_ffmpeg_on_the_path_is_named_too()
    {
        var spec = new VideoSourceSpec { Type = VideoSourceType.File, Path = VideoStreams.TestSupport.Samples.PathOf("main-640x360-30fps-aac.mp4") };
        await using var source = VideoSources.Create(spec, new EncoderSettings { FfmpegPath = "ffmpeg-that-is-not-installed" }, TimeSpan.FromSeconds(2));

        var e = await Assert.ThrowsAsync<VideoSourceException>(() => source.RunAsync(new FragmentingSink(), CancellationToken.None));

        Assert.Contains("ffmpeg-that-is-not-installed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ffmpeg_refusing_the_settings_fails_with_its_own_words()
    {
        // An ffmpeg without libx264, as a minimal build would be: it says so on stderr and exits 1.
        var fake = Path.Combine(Path.GetTempPath(), "vs-fake-ffmpeg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(fake);
        var script = Path.Combine(fake, "ffmpeg");
        await File.WriteAllTextAsync(script, "#!/bin/sh\n[ \"$1\" = -version ] && { echo \"ffmpeg version 0-minimal\"; exit 0; }\necho 'Unknown encoder libx264' >&2\nexit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }

        try
        {
            var spec = new VideoSourceSpec { Type = VideoSourceType.Synthetic, Width = 320, Height = 240 };
            await using var source = VideoSources.Create(spec, new EncoderSettings { FfmpegPath = script }, TimeSpan.FromSeconds(2));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

            var e = await Assert.ThrowsAsync<VideoSourceException>(() => source.RunAsync(new FragmentingSink(), cts.Token));

            Assert.True(e.Message.Contains("Unknown encoder libx264", StringComparison.Ordinal), e.Message);
        }
        finally
        {
            Directory.Delete(fake, recursive: true);
        }
    }

    [Theory]
    [InlineData(VideoSourceType.File, null)]
    [InlineData(VideoSourceType.Camera, null)]
    [InlineData(VideoSourceType.Url, null)]
    public void A_spec_without_its_path_or_url_is_refused_naming_the_field(VideoSourceType type, string? path)
    {
        var e = Assert.Throws<ArgumentException>(() => VideoSources.Create(new VideoSourceSpec { Type = type, Path = path }, new EncoderSettings(), TimeSpan.FromSeconds(2)));
        Assert.Contains(type == VideoSourceType.Url ? "source.url" : "source.path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_encoder_settings_and_unknown_types_are_refused_naming_the_field()
    {
        var synthetic = new VideoSourceSpec();
        Assert.Contains("encoder.profile", Assert.Throws<ArgumentException>(() => VideoSources.Create(synthetic, new EncoderSettings { Profile = "extreme" }, TimeSpan.FromSeconds(2))).Message, StringComparison.Ordinal);
        Assert.Contains("encoder.preset", Assert.Throws<ArgumentException>(() => VideoSources.Create(synthetic, new EncoderSettings { Preset = "warp" }, TimeSpan.FromSeconds(2))).Message, StringComparison.Ordinal);
        Assert.Contains("source.frameRate", Assert.Throws<ArgumentException>(() => VideoSources.Create(synthetic with { FrameRate = 0 }, new EncoderSettings(), TimeSpan.FromSeconds(2))).Message, StringComparison.Ordinal);
        Assert.Contains("source.url", Assert.Throws<ArgumentException>(() => VideoSources.Create(new VideoSourceSpec { Type = VideoSourceType.Url, Url = new Uri("ftp://x/y") }, new EncoderSettings(), TimeSpan.FromSeconds(2))).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown source type", Assert.Throws<ArgumentException>(() => VideoSources.Create(new VideoSourceSpec { Type = (VideoSourceType)42 }, new EncoderSettings(), TimeSpan.FromSeconds(2))).Message, StringComparison.Ordinal);
    }
}
