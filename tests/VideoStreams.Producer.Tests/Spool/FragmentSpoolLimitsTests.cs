using Microsoft.Extensions.Time.Testing;
using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Tests.Spool;

public sealed class FragmentSpoolLimitsTests
{
    [Fact]
    public void A_full_spool_drops_the_oldest_fragments_counts_them_logs_them_and_keeps_appending()
    {
        using var folder = new TempFolder();
        var options = new SpoolOptions { Directory = folder.Path, Name = Guid.NewGuid().ToString("N"), MaxBytes = 1 << 20, SegmentBytes = 64 * 1024 };
        var logs = new ListLoggerFactory();
        using var drops = new DropCounter(options.Name);
        using var spool = FragmentSpool.Open(options, loggerFactory: logs);

        var reported = 0;
        for (var i = 0; i < 200; i++)
        {
            var result = spool.Append(TestFragments.Make(i, 10_000));
            Assert.Equal(SpoolAppendStatus.Appended, result.Status);
            reported += result.DroppedFragments;
            Assert.True(spool.DiskBytes <= options.MaxBytes);
        }

        var pending = spool.PendingSequenceNumbers();
        Assert.Equal(199, pending[^1]);
        Assert.Equal(Enumerable.Range((int)pending[0], pending.Count).Select(i => (long)i), pending);
        Assert.True(pending[0] > 0);
        Assert.Equal(pending[0], reported);
        Assert.Equal(reported, spool.DroppedFragments);
        Assert.Equal(reported, drops["overflow"]);
        Assert.Contains(logs.Events, e => e.EventId == 7104);
        Assert.True(spool.TryReadNext(-1, out var oldest));
        Assert.Equal(pending[0], oldest.SequenceNumber);
        Assert.True(folder.SegmentFiles().Sum(f => new FileInfo(f).Length) <= options.MaxBytes);
    }

    [Fact]
    public void With_the_reject_policy_a_full_spool_refuses_new_fragments_and_keeps_the_old()
    {
        using var folder = new TempFolder();
        var options = new SpoolOptions
        {
            Directory = folder.Path,
            Name = Guid.NewGuid().ToString("N"),
            MaxBytes = 1 << 20,
            SegmentBytes = 64 * 1024,
            OverflowPolicy = SpoolOverflowPolicy.RejectNew,
        };
        using var spool = FragmentSpool.Open(options);
        var appended = 0;
        SpoolAppendResult result;
        while ((result = spool.Append(TestFragments.Make(appended, 10_000))).Status == SpoolAppendStatus.Appended)
        {
            appended++;
        }

        Assert.Equal(SpoolAppendStatus.Full, result.Status);
        Assert.InRange(appended, 90, 104);
        Assert.Equal(appended, spool.PendingCount);
        Assert.Equal(0, spool.PendingSequenceNumbers()[0]);

        // Acknowledging makes room again.
        for (var i = 0; i < 20; i++)
        {
            spool.Acknowledge(i);
        }

        Assert.Equal(SpoolAppendStatus.Appended, spool.Append(TestFragments.Make(appended, 10_000)).Status);
    }

    [Fact]
    public void A_fragment_larger_than_the_spool_is_refused()
    {
        using var folder = new TempFolder();
        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder.Path, MaxBytes = 1 << 20, SegmentBytes = 64 * 1024 });
        Assert.Equal(SpoolAppendStatus.TooLarge, spool.Append(TestFragments.Make(0, 2 << 20)).Status);
        Assert.Equal(SpoolAppendStatus.Appended, spool.Append(TestFragments.Make(1, 100_000)).Status);
    }

    [Fact]
    public void Fragments_older_than_the_maximum_age_are_dropped_while_running_and_at_restart()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new SpoolOptions { Directory = folder.Path, Name = Guid.NewGuid().ToString("N"), MaxAge = TimeSpan.FromMinutes(1) };
        using var drops = new DropCounter(options.Name);
        using (var spool = FragmentSpool.Open(options, time))
        {
            spool.Append(TestFragments.Make(0));
            spool.Append(TestFragments.Make(1));
            time.Advance(TimeSpan.FromSeconds(30));
            spool.Append(TestFragments.Make(2));
            time.Advance(TimeSpan.FromSeconds(31));

            Assert.Equal(2, spool.EnforceMaxAge());
            Assert.Equal([2L], spool.PendingSequenceNumbers());
            Assert.Equal(2, drops["age"]);
            Assert.Equal(TimeSpan.FromSeconds(31), spool.OldestPendingAge);
        }

        time.Advance(TimeSpan.FromMinutes(5));
        using var reopened = FragmentSpool.Open(options, time);
        Assert.Empty(reopened.PendingSequenceNumbers());
        Assert.Equal(3, drops["age"]);
    }

    [Fact]
    public void Every_fragment_is_synced_by_default()
    {
        using var folder = new TempFolder();
        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder.Path });
        for (var i = 0; i < 5; i++)
        {
            spool.Append(TestFragments.Make(i));
        }

        Assert.Equal(5, spool.SyncCount);
    }

    [Fact]
    public void The_interval_policy_syncs_at_most_once_per_interval()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder.Path, SyncMode = SpoolSyncMode.Interval, SyncInterval = TimeSpan.FromSeconds(1) }, time);
        for (var i = 0; i < 5; i++)
        {
            spool.Append(TestFragments.Make(i));
        }

        Assert.Equal(0, spool.SyncCount);
        time.Advance(TimeSpan.FromSeconds(1));
        spool.Append(TestFragments.Make(5));
        spool.Append(TestFragments.Make(6));
        Assert.Equal(1, spool.SyncCount);
        spool.Flush();
        Assert.Equal(2, spool.SyncCount);
    }

    [Fact]
    public void The_none_policy_leaves_syncing_to_the_os_and_still_replays_after_a_clean_close()
    {
        using var folder = new TempFolder();
        var options = new SpoolOptions { Directory = folder.Path, SyncMode = SpoolSyncMode.None };
        using (var spool = FragmentSpool.Open(options))
        {
            for (var i = 0; i < 5; i++)
            {
                spool.Append(TestFragments.Make(i));
            }

            Assert.Equal(0, spool.SyncCount);
        }

        using var reopened = FragmentSpool.Open(options);
        Assert.Equal(5, reopened.PendingCount);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FragmentSpool.Open(new SpoolOptions { Directory = "" }));
        Assert.ThrowsAny<ArgumentException>(() => FragmentSpool.Open(new SpoolOptions { Directory = "/tmp/x", MaxBytes = 1000 }));
        Assert.Throws<ArgumentException>(() => FragmentSpool.Open(new SpoolOptions { Directory = "/tmp/x", MaxBytes = 1 << 20, SegmentBytes = 1 << 19 }));
    }
}
