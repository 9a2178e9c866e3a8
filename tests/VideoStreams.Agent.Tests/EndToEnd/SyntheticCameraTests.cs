using VideoStreams.Producer.Sources;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.EndToEnd;

/// <summary>
/// Issue 7, acceptance: a synthetic camera streams for 30 s through vs-agent to the server, both real processes.
/// What is checked is what a user of the stream sees: ListFragments, the media GetMediaForFragmentList returns, and
/// ffmpeg's verdict on it.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection("EndToEnd")] // one at a time: each runs a server, an agent and ffmpeg on a 2-core machine
public sealed class SyntheticCameraTests(ITestOutputHelper output)
{
    // 640x360: on a 2-core CI machine running another test project beside this one, a 720p30 x264 encode falls
    // behind, the agent drops raw frames (as it should), and the 60-frame GOPs then stretch past 2 s of capture time
    // (12 fragments in 30 s on one run). The 720p30 stream is measured in the benchmarks (docs/PERFORMANCE.md).
    private const int Width = 640;
    private const int Height = 360;
    private const int FrameRate = 30;
    private const double FrameMs = 1000.0 / FrameRate;

    [Fact]
    public async Task Thirty_seconds_of_a_synthetic_camera_are_stored_as_2_s_fragments_that_start_with_an_IDR_and_carry_the_capture_times()
    {
        await using var rig = await EndToEndRig.StartAsync(output);
        var device = new DeviceFile
        {
            Name = "synthetic-" + Guid.NewGuid().ToString("N")[..8],
            ServerUrl = rig.Server.BaseUrl,
            Source = DeviceFile.Synthetic(Width, Height, FrameRate),
            BitrateKbps = 2000,
            FragmentDurationMs = 2000,
        };
        var agent = rig.StartAgent(device);
        await agent.WaitUntilStreamingAsync(device.Name);
        rig.Log("streaming; recording for 30 s");
        await Task.Delay(TimeSpan.FromSeconds(30));
        var exit = await agent.StopAsync(TimeSpan.FromSeconds(60));
        rig.Log($"vs-agent stopped with exit code {exit}");
        Assert.True(exit == 0, $"vs-agent exited with {exit} after SIGTERM\n{rig.Diagnostics()}");

        // ~15 fragments of ~2 s.
        var listed = await StoredStream.ListAsync(rig.Client, device.Name);
        rig.Log($"ListFragments: {listed.Count} fragments: " + string.Join(", ", listed.Select(f => $"{f.Number}@{f.ProducerMs}+{f.DurationMs}")));
        Assert.True(listed.Count is >= 13 and <= 17, $"{listed.Count} fragments listed for 30 s of 2 s fragments\n{rig.Diagnostics()}");
        // A starved encoder (a loaded 2-core CI machine) drops frames before encoding, which can push one keyframe, and
        // so one cut, later (a CI run saw 3157 ms); the count above keeps the average at ~2 s.
        foreach (var f in listed.SkipLast(1))
        {
            Assert.True(f.DurationMs is >= 1500 and <= 4000, $"fragment {f.Number} lasts {f.DurationMs} ms");
        }

        // Each fragment starts with an IDR: the first block of each cluster is a key frame and holds an IDR slice.
        var stored = Path.Combine(rig.Folder, "stored.mkv");
        await StoredStream.SaveMediaAsync(rig.Client, device.Name, [.. listed.Select(f => f.Number)], stored);
        var fragments = StoredStream.Read(stored);
        Assert.Equal(listed.Select(f => f.Number), fragments.Select(f => f.Number));
        foreach (var fragment in fragments)
        {
            Assert.Null(fragment.ErrorCode);
            Assert.NotEmpty(fragment.Frames);
            Assert.True(fragment.Frames[0].IsKeyframe && fragment.Frames[0].HasIdr, $"fragment {fragment.Number} does not start with an IDR key frame");
        }

        // Every fragment decodes without a complaint, on its own (as GetMedia serves it), and its pictures carry
        // their capture times: the strip burned into each picture equals the frame's producer timestamp (the
        // fragment's producer timestamp plus the block's offset) within one frame.
        var documents = StoredStream.SplitDocuments(stored, Path.Combine(rig.Folder, "fragments"));
        Assert.Equal(fragments.Count, documents.Count);
        var unreadable = new List<string>();
        var off = new List<string>();
        var pictures = 0;
        for (var f = 0; f < fragments.Count; f++)
        {
            Assert.Equal("", await DecodedFrames.DecodeErrorsAsync(documents[f]));
            var frames = fragments[f].Frames;
            var (decoded, errors) = await DecodedFrames.ForEachAsync(documents[f], Width, Height, (i, bgr) =>
            {
                if (i >= frames.Count)
                {
                    return;
                }

                if (!SyntheticPattern.TryReadCaptureTime(bgr, Width, Height, out var captured))
                {
                    unreadable.Add($"fragment {f} frame {i}");
                }
                else if (Math.Abs(captured - frames[i].AbsoluteMs) > FrameMs)
                {
                    off.Add($"fragment {f} frame {i}: producer time {frames[i].AbsoluteMs}, burned-in {captured} ({captured - frames[i].AbsoluteMs:+0;-0} ms)");
                }
            });
            Assert.Equal("", errors);
            Assert.True(decoded == frames.Count, $"fragment {fragments[f].Number}: {decoded} pictures decoded for {frames.Count} blocks");
            pictures += decoded;
        }

        rig.Log($"{pictures} pictures decoded; {unreadable.Count} strips unreadable; {off.Count} off by more than a frame");
        Assert.True(unreadable.Count == 0, $"the capture-time strip could not be read in {unreadable.Count} of {pictures} pictures: {string.Join(", ", unreadable.Take(20))}");
        Assert.True(off.Count == 0, $"{off.Count} of {pictures} pictures carry a capture time more than one frame away from their producer timestamp:\n{string.Join("\n", off.Take(20))}");
    }
}
