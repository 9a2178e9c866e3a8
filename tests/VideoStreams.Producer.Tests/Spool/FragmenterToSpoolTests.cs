using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Tests.Fragmenting;
using VideoStreams.TestSupport;

namespace VideoStreams.Producer.Tests.Spool;

public sealed class FragmenterToSpoolTests
{
    [Fact]
    public async Task Fragments_spooled_before_a_restart_are_replayed_from_the_first_unacknowledged_and_still_decode()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 300, gop: 30);
        using var folder = new TempFolder();
        var options = new SpoolOptions { Directory = folder.Path };
        using (var spool = FragmentSpool.Open(options))
        using (var fragmenter = new Fragmenter(new FragmenterOptions { FirstSequenceNumber = spool.NextSequenceNumber }))
        {
            foreach (var fragment in FragmenterTests.Run(fragmenter, units))
            {
                Assert.Equal(SpoolAppendStatus.Appended, spool.Append(fragment).Status);
            }

            // The uploader got PERSISTED for the first two before the agent stopped.
            Assert.True(spool.Acknowledge(0));
            Assert.True(spool.Acknowledge(1));
        }

        using var reopened = FragmentSpool.Open(options);
        var replay = new List<ProducerFragment>();
        var after = -1L;
        while (reopened.TryReadNext(after, out var fragment))
        {
            replay.Add(fragment);
            after = fragment.SequenceNumber;
        }

        Assert.Equal([2L, 3, 4], replay.Select(f => f.SequenceNumber));
        Assert.Equal(5, reopened.NextSequenceNumber);
        var path = FragmenterTests.TempFile(".mkv");
        try
        {
            await File.WriteAllBytesAsync(path, FragmenterTests.Concatenate(replay));
            Assert.Equal("", await MediaJudges.DecodeErrorsAsync(path));
            var frames = await MediaJudges.DecodedVideoFramesAsync(path);
            Assert.Equal(180, frames.Count);
            Assert.Equal(H264TestStreams.TimestampOf(120) / 1000.0, frames[0].Pts, 3);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
