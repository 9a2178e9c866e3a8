using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Tests.Spool;

public sealed class FragmentSpoolDiskFullTests
{
    [Fact]
    public void When_the_disk_fills_before_max_bytes_the_oldest_segments_go_and_recording_goes_on()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        var disk = new FullDisk(folder.Path, 600_000);
        var options = new SpoolOptions { Directory = folder.Path, Name = Guid.NewGuid().ToString("N"), MaxBytes = 64L << 20, SegmentBytes = 64 * 1024 };
        var logs = new ListLoggerFactory();
        var dropped = 0;
        using (var spool = FragmentSpool.OpenWithFiles(options, null, logs, null, disk))
        {
            for (var i = 0; i < 150; i++)
            {
                var result = spool.Append(TestFragments.Make(i, 10_000));
                Assert.Equal(SpoolAppendStatus.Appended, result.Status);
                dropped += result.DroppedFragments;
            }

            Assert.True(disk.Failures > 0);
            Assert.True(dropped > 0);
            Assert.True(disk.Used() <= disk.Capacity);
            Assert.Contains(logs.Events, e => e.EventId == 7108);
        }

        // The partial writes were cut: nothing corrupt, and what is left is the newest fragments, in order.
        using var reopened = FragmentSpool.Open(options);
        Assert.Equal(0, reopened.CorruptRecords);
        var pending = reopened.PendingSequenceNumbers();
        Assert.Equal(149, pending[^1]);
        Assert.Equal(150 - dropped, pending.Count);
        Assert.Equal(Enumerable.Range(dropped, pending.Count).Select(i => (long)i), pending);
    }

    [Fact]
    public void With_the_reject_policy_a_full_disk_refuses_the_new_fragment_and_keeps_the_old()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Path);
        var disk = new FullDisk(folder.Path, 300_000);
        var options = new SpoolOptions
        {
            Directory = folder.Path,
            MaxBytes = 64L << 20,
            SegmentBytes = 64 * 1024,
            OverflowPolicy = SpoolOverflowPolicy.RejectNew,
        };
        var appended = 0;
        using (var spool = FragmentSpool.OpenWithFiles(options, null, null, null, disk))
        {
            SpoolAppendResult result;
            while ((result = spool.Append(TestFragments.Make(appended, 10_000))).Status == SpoolAppendStatus.Appended)
            {
                appended++;
            }

            Assert.Equal(SpoolAppendStatus.DiskFull, result.Status);
            Assert.InRange(appended, 25, 30);

            // Room again after acknowledgements free whole segments.
            for (var i = 0; i < 15; i++)
            {
                spool.Acknowledge(i);
            }

            Assert.Equal(SpoolAppendStatus.Appended, spool.Append(TestFragments.Make(appended, 10_000)).Status);
            appended++;
        }

        using var reopened = FragmentSpool.Open(options);
        Assert.Equal(0, reopened.CorruptRecords);
        Assert.Equal(Enumerable.Range(15, appended - 15).Select(i => (long)i), reopened.PendingSequenceNumbers());
    }
}
