using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Upload;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(10);

    [Fact]
    public void Every_delay_stays_between_the_minimum_and_the_maximum()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(1));
        for (var i = 0; i < 1000; i++)
        {
            var delay = backoff.Next();
            Assert.InRange(delay, Min, Max);
        }
    }

    [Fact]
    public void The_ceiling_doubles_per_failed_attempt_until_the_maximum()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(2));
        var ceilings = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            ceilings.Add(backoff.Ceiling);
            Assert.InRange(backoff.Next(), Min, ceilings[^1]);
        }

        Assert.Equal(
            [400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000],
            ceilings.Select(c => (int)c.TotalMilliseconds));
    }

    [Fact]
    public void Later_attempts_wait_longer_on_average()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(3));
        double MeanAt(int attempt)
        {
            var total = 0.0;
            for (var k = 0; k < 2000; k++)
            {
                backoff.Reset();
                for (var a = 0; a < attempt; a++)
                {
                    backoff.Next();
                }

                total += backoff.Next().TotalMilliseconds;
            }

            return total / 2000;
        }

        var first = MeanAt(0);
        var third = MeanAt(2);
        var sixth = MeanAt(5);
        Assert.InRange(first, 250, 350); // uniform in [200, 400]
        Assert.InRange(third, 850, 1150); // uniform in [200, 1600]
        Assert.InRange(sixth, 4800, 5400); // uniform in [200, 10000]
    }

    [Fact]
    public void Reset_after_progress_starts_again_from_the_shortest_delays()
    {
        var backoff = new ReconnectBackoff(Min, Max, new Random(4));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        Assert.Equal(Max, backoff.Ceiling);
        backoff.Reset();

        Assert.Equal(0, backoff.Attempt);
        Assert.Equal(TimeSpan.FromMilliseconds(400), backoff.Ceiling);
        Assert.InRange(backoff.Next(), Min, TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public void Jitter_spreads_a_fleet_that_failed_together()
    {
        // 100 devices that lost the server at the same moment, each with its own random source.
        var delays = Enumerable.Range(0, 100)
            .Select(seed =>
            {
                var backoff = new ReconnectBackoff(Min, Max, new Random(seed));
                backoff.Next();
                backoff.Next();
                return backoff.Next().TotalMilliseconds; // third attempt: uniform in [200, 1600]
            })
            .ToList();

        Assert.True(delays.Distinct().Count() > 95, "delays are not in step");
        Assert.True(delays.Min() < 500 && delays.Max() > 1300, $"spread {delays.Min():F0}–{delays.Max():F0} ms covers the range");
    }
}
