using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.H264;

/// <summary>One stream encoded by libx264: its avcC (as FFmpeg writes it), its Annex B bytes and ffprobe's view.</summary>
public sealed record EncodedVariant(string Name, byte[] AvcC, byte[] AnnexB, string AnnexBPath)
{
    internal StreamFacts Facts { get; init; } = null!;

    public override string ToString() => Name;
}

/// <summary>
/// Encodes a handful of streams that exercise the SPS syntax (cropping, 4:4:4, 4:2:2 10-bit,
/// interlacing, HRD, SAR and colour VUI, odd frame rates) once per test run, in parallel, a few frames each.
/// </summary>
public sealed class EncodedVariants : IAsyncLifetime, IDisposable
{
    private static readonly (string Name, string Size, string Rate, string[] Args)[] Specs =
    [
        ("high-1920x1080-crop", "1920x1080", "30", ["-profile:v", "high", "-preset", "veryfast"]),
        ("baseline-854x480-ntsc", "854x480", "24000/1001", ["-profile:v", "baseline", "-preset", "veryfast"]),
        ("high444-322x242", "322x242", "25", ["-pix_fmt", "yuv444p", "-profile:v", "high444", "-preset", "ultrafast"]),
        ("high422-318x238-10bit", "318x238", "30", ["-pix_fmt", "yuv422p10le", "-profile:v", "high422", "-preset", "ultrafast"]),
        ("interlaced-720x484-sar16-11", "720x484", "50", ["-vf", "tinterlace=4,setsar=16/11", "-flags", "+ildct+ilme", "-preset", "veryfast"]),
        ("main-640x360-hrd", "640x360", "30", ["-profile:v", "main", "-preset", "veryfast", "-b:v", "300k", "-maxrate", "300k", "-bufsize", "600k", "-x264-params", "nal-hrd=vbr"]),
        ("high-720x480-fullrange-bt709", "720x480", "30", ["-vf", "setsar=40/33", "-preset", "veryfast", "-x264-params", "fullrange=on:colorprim=bt709:transfer=bt709:colormatrix=bt709"]),
        ("high-200x200-sar3-7", "200x200", "60", ["-vf", "setsar=3/7", "-preset", "veryfast"]),
    ];

    private readonly TempFolder _folder = new();

    public IReadOnlyList<EncodedVariant> All { get; private set; } = [];

    public EncodedVariant this[string name] => All.Single(v => v.Name == name);

    public async Task InitializeAsync()
    {
        var tasks = Specs.Select(EncodeAsync);
        All = await Task.WhenAll(tasks);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    /// <summary>Variant names as theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var spec in Specs)
        {
            data.Add(spec.Name);
        }

        return data;
    }

    private async Task<EncodedVariant> EncodeAsync((string Name, string Size, string Rate, string[] Args) spec)
    {
        var mkv = _folder.File(spec.Name + ".mkv");
        var h264 = _folder.File(spec.Name + ".h264");
        string[] encode =
        [
            "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={spec.Size}:rate={spec.Rate}",
            "-frames:v", "4", "-c:v", "libx264", .. spec.Args, mkv,
        ];
        (await ToolRunner.RunAsync("ffmpeg", encode)).EnsureSuccess("encode " + spec.Name);
        (await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", mkv, "-c:v", "copy", "-f", "h264", h264))
            .EnsureSuccess("remux " + spec.Name);
        var avcC = await FfprobeFacts.ExtradataAsync(mkv, "v:0");
        var facts = await FfprobeFacts.StreamAsync(h264, "v:0");
        return new EncodedVariant(spec.Name, avcC, await File.ReadAllBytesAsync(h264), h264) { Facts = facts };
    }
}

[CollectionDefinition(Name)]
public sealed class EncodedVariantsCollection : ICollectionFixture<EncodedVariants>
{
    public const string Name = "H.264 encoded variants";
}
