using VideoStreams.TestSupport;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// Issue 7, acceptance: a file source in passthrough mode reaches the server without a decode or a re-encode — the
/// stored frames are the file's frames, byte for byte (ffmpeg's framemd5 of the video packets).
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection("EndToEnd")] // one at a time: each runs a server, an agent and ffmpeg on a 2-core machine
public sealed class PassthroughTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Samples.Baseline360p25)] // video only, no B-frames
    [InlineData(Samples.High720p30Aac)] // High profile with B-frames, and an AAC track the agent leaves out
    public async Task A_file_played_once_in_passthrough_is_stored_with_bit_identical_frames(string name)
    {
        var sample = Samples.PathOf(name);
        var expected = await FrameHashesAsync(sample);
        Assert.True(expected.Count > 100, $"{sample}: {expected.Count} frames");

        await using var rig = await EndToEndRig.StartAsync(output);
        var device = new DeviceFile
        {
            Name = "file-" + Guid.NewGuid().ToString("N")[..8],
            ServerUrl = rig.Server.BaseUrl,
            Source = DeviceFile.FileSource(sample, loop: false, mode: "passthrough"),
            FragmentDurationMs = 2000,
        };
        var agent = rig.StartAgent(device);
        await agent.WaitUntilStreamingAsync(device.Name);

        // A 6 s file played once: wait until the server has stored as many frames as the file holds, or until
        // nothing new has arrived for a while (then the comparison below says what is missing).
        var stored = Path.Combine(rig.Folder, "stored.mkv");
        var storedFrames = 0;
        var quietSince = DateTime.UtcNow;
        var lastCount = -1;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(1000);
            var listed = await StoredStream.ListOrEmptyAsync(rig.Client, device.Name);
            if (listed.Count > 0 && listed.Count != lastCount)
            {
                lastCount = listed.Count;
                quietSince = DateTime.UtcNow;
                await StoredStream.SaveMediaAsync(rig.Client, device.Name, [.. listed.Select(f => f.Number)], stored);
                storedFrames = StoredStream.Read(stored).Sum(f => f.Frames.Count);
                rig.Log($"{listed.Count} fragments, {storedFrames} frames stored");
            }

            if (storedFrames >= expected.Count)
            {
                break;
            }
        }

        Assert.True(File.Exists(stored), $"nothing was stored\n{rig.Diagnostics()}");
        var actual = await FrameHashesAsync(stored);
        rig.Log($"file: {expected.Count} frames; stored: {actual.Count} frames");
        Assert.True(expected.Count == actual.Count, $"the file has {expected.Count} frames, the server stored {actual.Count}\n{rig.Diagnostics()}");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"frame {i} differs: file {expected[i]}, stored {actual[i]}");
        }

        Assert.Equal("", await DecodedFrames.FragmentDecodeErrorsAsync(stored));
        Assert.Equal(0, await agent.StopAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>The hash column of <c>ffmpeg -i X -map 0:v -c copy -f framemd5 -</c>, in order.</summary>
    private static async Task<List<string>> FrameHashesAsync(string path)
    {
        var result = await ToolRunner.RunAsync("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-c", "copy", "-f", "framemd5", "-");
        result.EnsureSuccess("ffmpeg framemd5 " + path);
        return [.. result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split(',')[^1].Trim())];
    }
}
