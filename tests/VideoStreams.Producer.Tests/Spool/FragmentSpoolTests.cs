using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Tests.Spool;

public sealed class FragmentSpoolTests
{
    private static SpoolOptions Options(TempFolder folder, string? name = null) => new()
    {
        Directory = folder.Path,
        Name = name ?? Guid.NewGuid().ToString("N"),
        MaxBytes = 16L << 20,
    };

    [Fact]
    public void After_a_restart_the_unacknowledged_fragments_are_replayed_in_order_and_unchanged()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        using (var spool = FragmentSpool.Open(options))
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(SpoolAppendStatus.Appended, spool.Append(TestFragments.Make(i)).Status);
            }

            Assert.True(spool.Acknowledge(0));
            Assert.True(spool.Acknowledge(1));
            Assert.True(spool.Acknowledge(2));
            Assert.True(spool.Acknowledge(5));
            Assert.False(spool.Acknowledge(5));
            Assert.False(spool.Acknowledge(42));
        }

        using var reopened = FragmentSpool.Open(options);
        Assert.Equal([3L, 4, 6, 7, 8, 9], reopened.PendingSequenceNumbers());
        Assert.Equal(10, reopened.NextSequenceNumber);
        var replayed = new List<ProducerFragment>();
        var after = -1L;
        while (reopened.TryReadNext(after, out var fragment))
        {
            replayed.Add(fragment);
            after = fragment.SequenceNumber;
        }

        Assert.Equal([3L, 4, 6, 7, 8, 9], replayed.Select(f => f.SequenceNumber));
        foreach (var fragment in replayed)
        {
            var original = TestFragments.Make(fragment.SequenceNumber);
            Assert.Equal(original.Body.ToArray(), fragment.Body.ToArray());
            Assert.Equal(original.Header.ToArray(), fragment.Header.ToArray());
            Assert.Equal(original.TimestampMs, fragment.TimestampMs);
            Assert.Equal(original.DurationMs, fragment.DurationMs);
            Assert.Equal(original.FrameCount, fragment.FrameCount);
            Assert.True(fragment.StartsWithKeyframe);
        }

        // A new session resends from the first unacknowledged fragment.
        Assert.True(reopened.TryReadNext(-1, out var first));
        Assert.Equal(3, first.SequenceNumber);
    }

    [Fact]
    public void A_torn_record_at_the_end_is_cut_and_appending_goes_on()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        var logs = new ListLoggerFactory();
        using (var spool = FragmentSpool.Open(options))
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append(TestFragments.Make(i));
            }
        }

        var last = folder.SegmentFiles()[^1];
        var length = new FileInfo(last).Length;
        using (var file = new FileStream(last, FileMode.Open))
        {
            file.SetLength(length - 100);
        }

        using (var spool = FragmentSpool.Open(options, loggerFactory: logs))
        {
            Assert.Equal([0L, 1, 2, 3], spool.PendingSequenceNumbers());
            Assert.Equal(0, spool.CorruptRecords);
            Assert.Equal(4, spool.NextSequenceNumber);
            Assert.Contains(logs.Events, e => e.EventId == 7101);
            Assert.True(new FileInfo(last).Length < length - 100, "the torn record is cut from the file");
            spool.Append(TestFragments.Make(4));
        }

        using var again = FragmentSpool.Open(options);
        Assert.Equal([0L, 1, 2, 3, 4], again.PendingSequenceNumbers());
        Assert.True(again.TryReadNext(3, out var fourth));
        Assert.Equal(TestFragments.Make(4).Body.ToArray(), fourth.Body.ToArray());
    }

    [Fact]
    public void A_corrupt_record_in_the_middle_is_skipped_counted_and_logged_and_the_rest_replayed()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        var logs = new ListLoggerFactory();
        using var drops = new DropCounter(options.Name);
        using (var spool = FragmentSpool.Open(options))
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append(TestFragments.Make(i));
            }
        }

        var path = folder.SegmentFiles()[^1];
        var bytes = File.ReadAllBytes(path);
        var third = IndexOfNth(bytes, "VSRC"u8.ToArray(), 3);
        bytes[third + 500] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        using var reopened = FragmentSpool.Open(options, loggerFactory: logs);
        Assert.Equal([0L, 1, 3, 4], reopened.PendingSequenceNumbers());
        Assert.Equal(1, reopened.CorruptRecords);
        Assert.Equal(1, drops["corrupt"]);
        Assert.Contains(logs.Events, e => e.EventId == 7102);
        Assert.Equal(5, reopened.NextSequenceNumber);
    }

    [Fact]
    public void A_record_damaged_after_recovery_is_dropped_when_read_and_the_next_one_returned()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        using var spool = FragmentSpool.Open(options);
        for (var i = 0; i < 3; i++)
        {
            spool.Append(TestFragments.Make(i));
        }

        var path = folder.SegmentFiles()[^1];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            var offset = IndexOfNth(File.ReadAllBytes(path), "VSRC"u8.ToArray(), 1) + 700;
            file.Position = offset;
            var b = file.ReadByte();
            file.Position = offset;
            file.WriteByte((byte)(b ^ 0x55));
        }

        Assert.True(spool.TryReadNext(-1, out var fragment));
        Assert.Equal(1, fragment.SequenceNumber);
        Assert.Equal(1, spool.CorruptRecords);
        Assert.Equal([1L, 2], spool.PendingSequenceNumbers());
    }

    [Fact]
    public void A_segment_with_a_damaged_header_is_set_aside()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        using (var spool = FragmentSpool.Open(options))
        {
            spool.Append(TestFragments.Make(0));
        }

        var path = folder.SegmentFiles()[^1];
        var bytes = File.ReadAllBytes(path);
        bytes[10] ^= 1;
        File.WriteAllBytes(path, bytes);

        using var reopened = FragmentSpool.Open(options);
        Assert.Empty(reopened.PendingSequenceNumbers());
        Assert.True(File.Exists(path + ".corrupt"));
    }

    [Fact]
    public void Fully_acknowledged_segment_files_are_deleted()
    {
        using var folder = new TempFolder();
        var options = Options(folder) with { SegmentBytes = 64 * 1024 };
        using var spool = FragmentSpool.Open(options);
        for (var i = 0; i < 30; i++)
        {
            spool.Append(TestFragments.Make(i, 10_000));
        }

        Assert.True(folder.SegmentFiles().Length >= 4);
        for (var i = 0; i < 30; i++)
        {
            Assert.True(spool.Acknowledge(i));
        }

        Assert.Single(folder.SegmentFiles());
        Assert.Equal(1, spool.SegmentCount);
        Assert.Equal(0, spool.PendingCount);
        Assert.Equal(0, spool.PendingBytes);
        Assert.Equal(new FileInfo(folder.SegmentFiles()[0]).Length, spool.DiskBytes);
    }

    [Fact]
    public void Sequence_numbering_survives_a_restart_with_everything_acknowledged()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        using (var spool = FragmentSpool.Open(options))
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append(TestFragments.Make(i));
                spool.Acknowledge(i);
            }
        }

        using var reopened = FragmentSpool.Open(options);
        Assert.Equal(5, reopened.NextSequenceNumber);
        Assert.Empty(reopened.PendingSequenceNumbers());
        Assert.False(reopened.TryReadNext(-1, out _));
        Assert.Throws<ArgumentException>(() => reopened.Append(TestFragments.Make(4)));
    }

    [Fact]
    public async Task A_reader_waiting_for_a_fragment_wakes_up_when_one_is_appended()
    {
        using var folder = new TempFolder();
        using var spool = FragmentSpool.Open(Options(folder));
        var wait = spool.WaitForFragmentAsync(-1);
        Assert.False(wait.IsCompleted);

        spool.Append(TestFragments.Make(0));

        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        await spool.WaitForFragmentAsync(-1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(spool.WaitForFragmentAsync(0).IsCompleted);
    }

    [Fact]
    public void A_second_spool_on_the_same_folder_is_refused_until_the_first_is_closed()
    {
        using var folder = new TempFolder();
        var options = Options(folder);
        var first = FragmentSpool.Open(options);
        Assert.Throws<IOException>(() => FragmentSpool.Open(options));
        first.Dispose();
        using var second = FragmentSpool.Open(options);
        Assert.Equal(0, second.PendingCount);
    }

    internal static int IndexOfNth(byte[] data, byte[] pattern, int n)
    {
        var from = 0;
        for (var k = 0; k < n; k++)
        {
            var index = data.AsSpan(from).IndexOf(pattern);
            Assert.True(index >= 0);
            from += index + (k == n - 1 ? 0 : 1);
        }

        return from;
    }
}
