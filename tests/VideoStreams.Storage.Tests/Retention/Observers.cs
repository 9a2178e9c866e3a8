using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace VideoStreams.Storage.Tests.Retention;

/// <summary>Keeps every log entry written through it (tests run in parallel, so each has its own).</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Event, string Message)> Entries { get; } = new();

    public IReadOnlyList<(LogLevel Level, string Message)> WithEvent(int id) =>
        Entries.Where(e => e.Event.Id == id).Select(e => (e.Level, e.Message)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception)));
    }
}

/// <summary>A meter factory whose meters only this test listens to, with the measurements summed per instrument.</summary>
internal sealed class TestMeters : IMeterFactory
{
    private readonly ConcurrentDictionary<Meter, bool> _meters = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();
    private readonly ConcurrentDictionary<string, long> _last = new();
    private readonly MeterListener _listener = new();

    public TestMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.ContainsKey(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            _totals.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            _last[instrument.Name] = value;
        });
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        _meters[meter] = true;
        return meter;
    }

    /// <summary>The sum of a counter's measurements.</summary>
    public long Total(string instrument) => _totals.GetValueOrDefault(instrument);

    /// <summary>The latest value of an observable gauge, read now.</summary>
    public long? Observe(string instrument)
    {
        _last.TryRemove(instrument, out _);
        _listener.RecordObservableInstruments();
        return _last.TryGetValue(instrument, out var value) ? value : null;
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters.Keys)
        {
            meter.Dispose();
        }
    }
}
