using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Tests.Spool;

public sealed class FragmentSpoolConcurrencyTests
{
    [Fact]
    public async Task An_uploader_reading_and_acknowledging_while_the_producer_appends_sees_every_fragment_once_in_order()
    {
        using var folder = new TempFolder();
        var options = new SpoolOptions { Directory = folder.Path, MaxBytes = 8L << 20, SegmentBytes = 256 * 1024, SyncMode = SpoolSyncMode.None };
        const int Count = 400;
        using (var spool = FragmentSpool.Open(options))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var producer = Task.Run(() =>
            {
                for (var i = 0; i < Count; i++)
                {
                    Assert.Equal(SpoolAppendStatus.Appended, spool.Append(TestFragments.Make(i, 5_000)).Status);
                }
            });
            var seen = new List<long>();
            var uploader = Task.Run(async () =>
            {
                var after = -1L;
                while (seen.Count < Count)
                {
                    await spool.WaitForFragmentAsync(after, cts.Token);
                    while (spool.TryReadNext(after, out var fragment))
                    {
                        Assert.Equal(TestFragments.Make(fragment.SequenceNumber, 5_000).Body.ToArray(), fragment.Body.ToArray());
                        seen.Add(fragment.SequenceNumber);
                        after = fragment.SequenceNumber;
                        Assert.True(spool.Acknowledge(fragment.SequenceNumber));
                    }
                }
            });

            await Task.WhenAll(producer, uploader);
            Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), seen);
            Assert.Equal(0, spool.PendingCount);
            Assert.Equal(1, spool.SegmentCount);
        }

        using var reopened = FragmentSpool.Open(options);
        Assert.Empty(reopened.PendingSequenceNumbers());
        Assert.Equal(Count, reopened.NextSequenceNumber);
    }
}
