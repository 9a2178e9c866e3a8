using VideoStreams.Agent.Configuration;
using VideoStreams.Producer.Sources;

namespace VideoStreams.Agent.Tests.Agent;

/// <summary>Every example in devices/ parses and validates; those that need no hardware pass the start-up checks too.</summary>
public sealed class DeviceExamplesTests
{
    public static TheoryData<string> Examples() => [.. Directory.GetFiles(TempFolder.DevicesFolder, "*.json").Select(f => Path.GetFileName(f)!).Order()];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_device_file_validates(string name)
    {
        var devices = DeviceLoader.Load([Path.Combine(TempFolder.DevicesFolder, name)], null);

        Assert.NotEmpty(devices);
        Assert.All(devices, d => Assert.Equal(new Uri("http://127.0.0.1:5080/"), d.ServerUrl));
        if (devices[0].Source.Type is VideoSourceType.Synthetic or VideoSourceType.File)
        {
            // No camera and no credentials needed: the start-up checks pass on any machine with the repository.
            Assert.All(devices, d => DevicePreflight.Check(d));
        }
    }

    [Fact]
    public void The_examples_cover_the_kinds_of_device_the_readme_describes()
    {
        var all = DeviceLoader.Load([TempFolder.DevicesFolder], null);
        var byName = all.ToDictionary(d => d.Name);

        Assert.Equal(VideoSourceType.Synthetic, byName["synthetic-camera"].Source.Type);
        Assert.Equal(TimeSpan.FromSeconds(2), byName["synthetic-camera"].FragmentDuration);
        Assert.Equal(24, byName["synthetic-camera"].RetentionHours);
        var file = byName["file-loop"].Source;
        Assert.Equal((VideoSourceType.File, SourceMode.Passthrough, true), (file.Type, file.Mode, file.Loop));
        Assert.True(File.Exists(file.Path), file.Path);
        Assert.Equal("/dev/video0", byName["front-door"].Source.Path);
        Assert.Equal(new Uri("rtsp://camera.local/stream1"), byName["driveway"].Source.Url);
        Assert.Equal(SourceMode.Passthrough, byName["driveway"].Source.Mode);
        var fleet = all.Where(d => d.Name.StartsWith("fleet-", StringComparison.Ordinal)).ToList();
        Assert.Equal(20, fleet.Count);
        Assert.Equal("fleet-001", fleet[0].StreamName);
        Assert.Equal(20, fleet.Select(d => d.Spool.Directory).Distinct().Count());
    }

    [Fact]
    public void The_camera_example_is_refused_at_start_naming_source_path_when_the_camera_is_missing()
    {
        var camera = DeviceLoader.Load([Path.Combine(TempFolder.DevicesFolder, "v4l2-camera.json")], null).Single();
        if (File.Exists("/dev/video0"))
        {
            return;
        }

        var problem = Assert.Throws<AgentException>(() => DevicePreflight.Check(camera));
        Assert.Equal("source.path", problem.Field);
        Assert.Equal(2, problem.ExitCode);
    }
}
