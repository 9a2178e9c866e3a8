using System.Diagnostics.Metrics;
using VideoStreams.Storage.Fragments;
using static VideoStreams.Storage.Tests.Store.StoreHarness;

namespace VideoStreams.Storage.Tests.Store;

public sealed class StoreObservabilityTests
{
    [Fact]
    public async Task Committed_fragments_are_announced_once_each_after_they_are_persisted()
    {
        using var harness = new StoreHarness();
        using var store = harness.Open();
        var stream = CreateStream(store, "announced");
        var seen = new List<FragmentEntry>();
        store.FragmentCommitted += e =>
        {
            lock (seen)
            {
                seen.Add(e);
            }
        };
        var random = new Random(1);

        var appended = Enumerable.Range(0, 10).Select(i => store.Append(stream, Fragment(random, i * 1000)).Value!).ToList();
        await store.CommitAsync();

        lock (seen)
        {
            Assert.Equal(appended.Select(a => a.Entry.Number).Order(), seen.Select(e => e.Number).Order());
            Assert.All(seen, e => Assert.NotNull(store.Index.GetFragment(e.Number)));
        }
    }

    [Fact]
    public async Task Persisted_fragments_bytes_and_latency_are_measured()
    {
        using var listener = new MeterListener();
        long fragments = 0, bytes = 0, latencies = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "VideoStreams.Storage")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "videostreams.storage.fragments_persisted")
            {
                Interlocked.Add(ref fragments, value);
            }
            else if (instrument.Name == "videostreams.storage.bytes_persisted")
            {
                Interlocked.Add(ref bytes, value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "videostreams.storage.persist_latency")
            {
                Interlocked.Increment(ref latencies);
            }
        });
        listener.Start();
        using var harness = new StoreHarness();
        using var store = harness.Open();
        var stream = CreateStream(store, "measured");
        var random = new Random(2);

        for (var i = 0; i < 5; i++)
        {
            store.Append(stream, Fragment(random, i * 1000, size: 1000));
        }

        await store.CommitAsync();

        Assert.True(Interlocked.Read(ref fragments) >= 5);
        Assert.True(Interlocked.Read(ref bytes) >= 5000);
        Assert.True(Interlocked.Read(ref latencies) >= 5);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(123_456_789L)]
    [InlineData(long.MaxValue)]
    public void Fragment_numbers_render_as_kvs_decimal_strings_that_sort_like_the_numbers(long number)
    {
        var text = FragmentNumber.Format(number);

        Assert.Equal(47, text.Length);
        Assert.Matches("^[0-9]+$", text);
        Assert.True(FragmentNumber.TryParse(text, out var back));
        Assert.Equal(number, back);
        if (number < long.MaxValue)
        {
            Assert.True(string.CompareOrdinal(text, FragmentNumber.Format(number + 1)) < 0);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("91343852333181432511524306419788296366724229586")] // a real KVS number, not one of ours
    [InlineData("9134385233318143200000000000000000000000000000x")]
    public void Strings_that_are_not_our_fragment_numbers_do_not_parse(string? text)
    {
        Assert.False(FragmentNumber.TryParse(text, out _));
    }
}
