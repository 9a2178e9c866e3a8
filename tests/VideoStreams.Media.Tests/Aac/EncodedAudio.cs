using VideoStreams.Media.Tests.H264;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Aac;

/// <summary>One AAC stream encoded by FFmpeg: its AudioSpecificConfig and ffprobe's sample rate and channels.</summary>
public sealed record EncodedAudioVariant(string Name, byte[] Config, int SampleRate, int Channels)
{
    public override string ToString() => Name;
}

/// <summary>Encodes a tenth of a second of AAC per rate and channel layout, in parallel, once per test run.</summary>
public sealed class EncodedAudio : IAsyncLifetime, IDisposable
{
    private static readonly (string Name, int Rate, string Layout)[] Specs =
    [
        ("lc-44100-mono", 44100, "mono"),
        ("lc-48000-stereo", 48000, "stereo"),
        ("lc-8000-stereo", 8000, "stereo"),
        ("lc-96000-5.1", 96000, "5.1"),
        ("lc-22050-7.1", 22050, "7.1"),
        ("lc-32000-quad-pce", 32000, "quad"),
        ("lc-16000-hexagonal-pce", 16000, "hexagonal"),
    ];

    private readonly TempFolder _folder = new();

    public IReadOnlyList<EncodedAudioVariant> All { get; private set; } = [];

    public EncodedAudioVariant this[string name] => All.Single(v => v.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var spec in Specs)
        {
            data.Add(spec.Name);
        }

        return data;
    }

    public async Task InitializeAsync() => All = await Task.WhenAll(Specs.Select(EncodeAsync));

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    private async Task<EncodedAudioVariant> EncodeAsync((string Name, int Rate, string Layout) spec)
    {
        var path = _folder.File(spec.Name + ".mkv");
        (await ToolRunner.RunAsync(
            "ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"sine=r={spec.Rate}:d=0.1",
            "-af", $"aformat=channel_layouts={spec.Layout}", "-c:a", "aac", path)).EnsureSuccess("encode " + spec.Name);
        var facts = await FfprobeFacts.StreamAsync(path, "a:0");
        return new EncodedAudioVariant(spec.Name, await FfprobeFacts.ExtradataAsync(path, "a:0"), facts.SampleRate, facts.Channels);
    }
}

[CollectionDefinition(Name)]
public sealed class EncodedAudioCollection : ICollectionFixture<EncodedAudio>
{
    public const string Name = "AAC encoded variants";
}
