using System.Text;
using VideoStreams.Producer.Fragmenting;
using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Fragmenting;

public sealed class FragmenterTagsAndDataTests
{
    [Fact]
    public async Task Tags_are_written_before_their_cluster_and_mkvinfo_shows_them()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 180, gop: 30);
        using var fragmenter = new Fragmenter();
        Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag("GPS", "52.52,13.40", persistent: true));
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i == 70)
            {
                Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag("EVENT", "motion"));
            }

            if (fragmenter.Add(units[i], H264TestStreams.TimestampOf(i)) is { } done)
            {
                fragments.Add(done);
            }
        }

        fragments.Add(fragmenter.Flush()!);
        var mkv = FragmenterTests.Concatenate(fragments);

        var inspection = MkvInspection.Read(mkv);
        Assert.Equal(3, inspection.Clusters.Count);
        string[] TagsOf(int cluster) => inspection.Clusters[cluster].TagsBefore.SelectMany(t => t.SimpleTags).Select(s => $"{s.Name}={s.Value}").ToArray();
        Assert.Equal(["GPS=52.52,13.40"], TagsOf(0));
        Assert.Equal(["GPS=52.52,13.40", "EVENT=motion"], TagsOf(1));
        Assert.Equal(["GPS=52.52,13.40"], TagsOf(2));

        var path = FragmenterTests.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, mkv);
            var mkvinfo = await ToolRunner.RunAsync("mkvinfo", "--all", path);
            Assert.Equal(0, mkvinfo.ExitCode);
            Assert.Contains("Name: EVENT", mkvinfo.StdOut, StringComparison.Ordinal);
            Assert.Contains("String: motion", mkvinfo.StdOut, StringComparison.Ordinal);
            Assert.Equal("", await MediaJudges.DecodeErrorsAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tags_outside_the_kvs_limits_are_refused_with_a_reason()
    {
        using var fragmenter = new Fragmenter();
        Assert.Equal(FragmentTagStatus.ReservedName, fragmenter.AddTag("AWS_KINESISVIDEO_X", "1"));
        Assert.Equal(FragmentTagStatus.InvalidName, fragmenter.AddTag("", "1"));
        Assert.Equal(FragmentTagStatus.InvalidName, fragmenter.AddTag(new string('n', 129), "1"));
        Assert.Equal(FragmentTagStatus.ValueTooLong, fragmenter.AddTag("k", new string('v', 257)));
        Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag(new string('n', 128), new string('v', 256)));
        for (var i = 1; i < 10; i++)
        {
            Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag($"t{i}", "v"));
        }

        Assert.Equal(FragmentTagStatus.TooManyTags, fragmenter.AddTag("t10", "v"));
        Assert.Equal(FragmentTagStatus.Replaced, fragmenter.AddTag("t1", "w"));
    }

    [Fact]
    public async Task The_data_track_carries_samples_and_an_empty_heartbeat_in_fragments_without_any()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 180, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { EnableDataTrack = true });
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i is 5 or 10)
            {
                fragmenter.AddDataSample(H264TestStreams.TimestampOf(i), Encoding.UTF8.GetBytes($"{{\"t\":{i}}}"));
            }

            if (fragmenter.Add(units[i], H264TestStreams.TimestampOf(i)) is { } done)
            {
                fragments.Add(done);
            }
        }

        fragments.Add(fragmenter.Flush()!);
        var mkv = FragmenterTests.Concatenate(fragments);

        var inspection = MkvInspection.Read(mkv);
        Assert.Equal(2, inspection.Headers[0].Count);
        var data = inspection.Clusters.Select(c => c.Frames.Where(f => f.Track == 2).ToList()).ToList();
        Assert.Equal(["{\"t\":5}", "{\"t\":10}"], data[0].Select(f => Encoding.UTF8.GetString(f.Data)));
        Assert.Equal(H264TestStreams.TimestampOf(5), data[0][0].Timestamp);
        Assert.Single(data[1]);
        Assert.Empty(data[1][0].Data);
        Assert.Single(data[2]);
        Assert.Empty(data[2][0].Data);
        Assert.Equal(2, fragmenter.DataHeartbeatsWritten);

        var path = FragmenterTests.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, mkv);
            Assert.Equal("", await MediaJudges.FfprobeErrorsAsync(path));
            Assert.Equal(180, (await MediaJudges.DecodedVideoFramesAsync(path)).Count);
            Assert.Equal(0, (await ToolRunner.RunAsync("mkvinfo", "--all", path)).ExitCode);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Data_samples_before_the_first_fragment_wait_for_it()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 90, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { EnableDataTrack = true });
        fragmenter.AddDataSample(H264TestStreams.EpochOriginMs - 500, [1, 2, 3]);

        var fragments = FragmenterTests.Run(fragmenter, units);

        var cluster = MkvInspection.Read(FragmenterTests.Concatenate(fragments)).Clusters[0];
        var sample = Assert.Single(cluster.Frames, f => f.Track == 2);
        Assert.Equal(new byte[] { 1, 2, 3 }, sample.Data);
        Assert.Equal(cluster.Timestamp, sample.Timestamp);
    }

    [Fact]
    public async Task A_data_sample_ahead_of_the_video_goes_into_the_fragment_that_covers_its_time()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 180, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { EnableDataTrack = true });
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i == 50)
            {
                // A sensor reading 25 frames ahead of the encoder, across the cut at frame 60.
                fragmenter.AddDataSample(H264TestStreams.TimestampOf(75), "ahead"u8);
            }

            if (fragmenter.Add(units[i], H264TestStreams.TimestampOf(i)) is { } done)
            {
                fragments.Add(done);
            }
        }

        fragments.Add(fragmenter.Flush()!);

        var clusters = MkvInspection.Read(FragmenterTests.Concatenate(fragments)).Clusters;
        Assert.DoesNotContain(clusters[0].Frames, f => f.Track == 2 && f.Data.Length > 0);
        var sample = Assert.Single(clusters[1].Frames, f => f.Track == 2);
        Assert.Equal(H264TestStreams.TimestampOf(75), sample.Timestamp);

        // What KVS checks (4004): every fragment starts after the previous one's latest block, on every track.
        for (var c = 1; c < clusters.Count; c++)
        {
            Assert.True(clusters[c].Frames.Min(f => f.Timestamp) > clusters[c - 1].Frames.Max(f => f.Timestamp));
        }
    }
}
