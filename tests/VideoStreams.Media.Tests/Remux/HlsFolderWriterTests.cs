using VideoStreams.Media.Remux;
using VideoStreams.TestSupport;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>The HLS folder writer writes files on a thread of its own: what that thread meets must reach the caller.</summary>
public sealed class HlsFolderWriterTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("vs-hls-writer-");

    [Fact]
    public void Every_file_is_on_disk_when_remux_returns_and_the_playlist_lists_them_all()
    {
        using var input = File.OpenHandle(Samples.PathOf(Samples.Main360p30Aac));
        var writer = HlsFolderWriter.Remux(input, _folder, new CmafSegmenterOptions { TargetSegmentDuration = TimeSpan.FromSeconds(1) });

        var listed = File.ReadAllLines(Path.Combine(_folder.FullName, HlsFolderWriter.MediaPlaylist)).Where(l => l.StartsWith("segment-", StringComparison.Ordinal)).ToList();
        Assert.True(writer.Segments > 2, $"{writer.Segments} segments");
        Assert.Equal(writer.Segments, listed.Count);
        Assert.All(listed, name => Assert.True(new FileInfo(Path.Combine(_folder.FullName, name)).Length > 0, name));
    }

    [Fact]
    public void A_file_that_cannot_be_written_fails_the_remux_with_that_error_instead_of_hanging_or_a_partial_playlist()
    {
        // A directory where the third segment goes: opening it for writing fails on the writer thread.
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "segment-00003.m4s"));
        using var input = File.OpenHandle(Samples.PathOf(Samples.Main360p30Aac));

        var error = Record.Exception(() => HlsFolderWriter.Remux(input, _folder, new CmafSegmenterOptions { TargetSegmentDuration = TimeSpan.FromSeconds(1) }));

        Assert.True(error is IOException or UnauthorizedAccessException, $"{error?.GetType().Name}: {error?.Message}");
        Assert.Contains("segment-00003.m4s", error!.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.FullName, HlsFolderWriter.MediaPlaylist)));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
