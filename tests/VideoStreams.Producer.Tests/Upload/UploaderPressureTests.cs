using Microsoft.Extensions.Time.Testing;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Upload;

public sealed class UploaderPressureTests
{
    [Fact]
    public async Task Latency_pressure_is_raised_when_the_oldest_fragment_waits_too_long_and_relieved_when_it_is_released()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000));
        var folder = Path.Combine(Path.GetTempPath(), "vs-pressure-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder, SyncMode = SpoolSyncMode.None }, time);
            var fragment = new ProducerFragment(0, 1, new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 }, 1_767_225_600_000, 1000, true, 30);
            Assert.Equal(SpoolAppendStatus.Appended, spool.Append(fragment).Status);
            var attempts = 0;
            var options = new UploaderOptions
            {
                Endpoint = new Uri("http://127.0.0.1:9/"),
                StreamName = "camera-1",
                StallTimeout = TimeSpan.FromSeconds(4),
                LatencyPressureThreshold = TimeSpan.FromSeconds(30),
            };
            var events = new List<LatencyPressureEventArgs>();
            await using var uploader = new PutMediaUploader(options, spool,
                connect: (_, _) =>
                {
                    Interlocked.Increment(ref attempts);
                    throw new IOException("the uplink is down");
                },
                timeProvider: time);
            uploader.LatencyPressure += (_, e) =>
            {
                lock (events)
                {
                    events.Add(e);
                }
            };
            using var stop = new CancellationTokenSource();
            var running = uploader.RunAsync(stop.Token);

            await AdvanceUntilAsync(time, () => Count(events) == 1);
            var pressure = events[0];
            Assert.True(pressure.UnderPressure);
            Assert.Equal(1, pressure.PendingFragments);
            Assert.True(pressure.OldestPendingAge > options.LatencyPressureThreshold);
            Assert.True(Volatile.Read(ref attempts) >= 2, "the uploader kept trying while the uplink was down");

            Assert.True(spool.Acknowledge(0));
            await AdvanceUntilAsync(time, () => Count(events) == 2);
            Assert.False(events[1].UnderPressure);
            Assert.Equal(0, events[1].PendingFragments);

            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static int Count(List<LatencyPressureEventArgs> events)
    {
        lock (events)
        {
            return events.Count;
        }
    }

    /// <summary>Moves the fake clock in small steps, letting the uploader's loops run, until the condition holds.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition)
    {
        for (var step = 0; step < 10_000 && !condition(); step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        Assert.True(condition(), "the condition never held");
    }
}
