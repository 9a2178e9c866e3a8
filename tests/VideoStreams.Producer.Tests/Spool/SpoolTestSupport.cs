using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace VideoStreams.Producer.Tests.Spool;

/// <summary>A temporary spool folder, removed at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"vs-spool-{Guid.NewGuid():N}");

    public string[] SegmentFiles() =>
        Directory.Exists(Path) ? Directory.GetFiles(Path, "*.vspool").Order(StringComparer.Ordinal).ToArray() : [];

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

internal static class TestFragments
{
    public static readonly byte[] Header = [0x1A, 0x45, 0xDF, 0xA3, 1, 2, 3];

    /// <summary>A fragment whose body is a pattern derived from its sequence number (no "VSRC" in it).</summary>
    public static ProducerFragment Make(long sequence, int bodySize = 1000)
    {
        var body = new byte[bodySize];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)((sequence * 7 + i) % 64);
        }

        return new ProducerFragment(sequence, 1, Header, body, 1_767_225_600_000 + (sequence * 2000), 2000, true, 60);
    }
}

/// <summary>Collects log events (id and text) of every logger it makes.</summary>
internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(int EventId, LogLevel Level, string Message)> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Events.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }
}

/// <summary>Sums the spool's drop counter by reason, for one spool name only (tests run in parallel).</summary>
internal sealed class DropCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byReason = new();

    public DropCounter(string spoolName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "VideoStreams.Producer" && instrument.Name == "videostreams.producer.spool.dropped_fragments")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? spool = null, reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "videostreams.producer.spool")
                {
                    spool = tag.Value as string;
                }
                else if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            if (spool == spoolName && reason is not null)
            {
                _byReason.AddOrUpdate(reason, value, (_, v) => v + value);
            }
        });
        _listener.Start();
    }

    public long this[string reason] => _byReason.GetValueOrDefault(reason);

    public void Dispose() => _listener.Dispose();
}
