using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Fragmenting;

/// <summary>
/// <see cref="FragmenterOptions.FramesAsCaptured"/>: what is written of the fragment in progress is final, so it can be
/// sent frame by frame, and the completed fragment is exactly those bytes (what the spool keeps and a resend repeats).
/// </summary>
public sealed class FragmenterFramesAsCapturedTests
{
    [Fact]
    public async Task The_fragment_in_progress_grows_frame_by_frame_into_exactly_the_completed_fragment()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 91, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1), FramesAsCaptured = true, EnableDataTrack = true });
        var fragments = new List<ProducerFragment>();
        byte[] previous = [];
        var sizes = new List<int>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i % 7 == 3)
            {
                fragmenter.AddDataSample(H264TestStreams.TimestampOf(i), [1, 2, (byte)i]);
            }

            if (fragmenter.Add(units[i], H264TestStreams.TimestampOf(i)) is { } done)
            {
                // Everything published of it was final: the completed fragment starts with it.
                Assert.True(done.Body.Span.StartsWith(previous), $"fragment {done.SequenceNumber} is not what was written of it");
                fragments.Add(done);
                previous = [];
            }

            var now = fragmenter.FragmentInProgress.ToArray();
            Assert.True(now.AsSpan().StartsWith(previous), $"frame {i}: bytes already written changed");
            Assert.True(now.Length > previous.Length, $"frame {i} added nothing to the fragment in progress");
            Assert.Equal(fragments.Count, fragmenter.FragmentInProgressSequenceNumber);
            previous = now;
        }

        fragments.Add(fragmenter.Flush()!);
        Assert.Empty(fragmenter.FragmentInProgress.ToArray());
        Assert.Equal(4, fragments.Count);

        // The same content as without the option: the same frames and data samples (heartbeats included) in each.
        using var plain = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1), EnableDataTrack = true });
        var expected = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i % 7 == 3)
            {
                plain.AddDataSample(H264TestStreams.TimestampOf(i), [1, 2, (byte)i]);
            }

            if (plain.Add(units[i], H264TestStreams.TimestampOf(i)) is { } done)
            {
                expected.Add(done);
            }
        }

        expected.Add(plain.Flush()!);
        Assert.Equal(expected.Select(f => Convert.ToHexString(f.Body.Span)), fragments.Select(f => Convert.ToHexString(f.Body.Span)));
    }

    [Fact]
    public async Task Tags_go_before_the_cluster_and_a_tag_added_during_a_fragment_goes_with_the_next()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 91, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1), FramesAsCaptured = true });
        Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag("GPS", "52.52,13.40", persistent: true));
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i == 40)
            {
                // Fragment 1's start has been written (and may have been sent): the tag waits for fragment 2.
                Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag("EVENT", "motion"));
            }

            if (fragmenter.Add(units[i], H264TestStreams.TimestampOf(i)) is { } done)
            {
                fragments.Add(done);
            }
        }

        fragments.Add(fragmenter.Flush()!);
        var inspection = MkvInspection.Read(FragmenterTests.Concatenate(fragments));
        string[] TagsOf(int cluster) => [.. inspection.Clusters[cluster].TagsBefore.SelectMany(t => t.SimpleTags).Select(s => $"{s.Name}={s.Value}")];
        Assert.Equal(["GPS=52.52,13.40"], TagsOf(0));
        Assert.Equal(["GPS=52.52,13.40"], TagsOf(1));
        Assert.Equal(["GPS=52.52,13.40", "EVENT=motion"], TagsOf(2));
        Assert.Equal(["GPS=52.52,13.40"], TagsOf(3));
    }

    [Fact]
    public async Task The_live_feed_mirrors_the_fragment_in_progress_and_ends_with_it()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 40, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1), FramesAsCaptured = true });
        using var feed = new LiveFragmentFeed();
        var scratch = Array.Empty<byte>();
        var copied = new List<byte>();
        var completed = 0;
        for (var i = 0; i < 35; i++)
        {
            var done = fragmenter.Add(units[i], H264TestStreams.TimestampOf(i));
            feed.Publish(fragmenter);
            Assert.True(feed.TryGetInProgress(out var start));
            Assert.Equal(done is null ? completed : ++completed, start.SequenceNumber);
            if (done is not null)
            {
                // A new fragment: the copy of the first one is over; the second is followed from its first byte.
                Assert.Equal(0, feed.CopyNew(0, copied.Count, ref scratch, 16, 2, out var stillFirst));
                Assert.False(stillFirst);
                Assert.Equal(Convert.ToHexString(done.Body.Span), Convert.ToHexString([.. copied]));
                copied.Clear();
            }

            var count = feed.CopyNew(start.SequenceNumber, copied.Count, ref scratch, 16, 2, out var inProgress);
            Assert.True(inProgress);
            Assert.True(count > 0);
            Assert.True(scratch.Length >= 16 + count + 2);
            copied.AddRange(scratch.AsSpan(16, count));
            Assert.Equal(Convert.ToHexString(fragmenter.FragmentInProgress), Convert.ToHexString([.. copied]));
        }

        fragmenter.Flush();
        feed.Publish(fragmenter);
        Assert.False(feed.TryGetInProgress(out _));
        Assert.Throws<InvalidOperationException>(() =>
        {
            using var other = new Fragmenter(new FragmenterOptions { FramesAsCaptured = false });
            other.Add(units[0], H264TestStreams.TimestampOf(0));
            feed.Publish(other);
        });
    }
}
