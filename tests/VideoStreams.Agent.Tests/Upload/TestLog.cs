using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace VideoStreams.Agent.Tests.Upload;

/// <summary>Log lines into the xunit test output (shown when a test fails), with the time and event id.</summary>
internal sealed class TestLog(ITestOutputHelper output) : ILoggerProvider, ILogger
{
    public static ILoggerFactory Factory(ITestOutputHelper output) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new TestLog(output)));

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} [{eventId.Id}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test is over.
        }
    }

    public void Dispose()
    {
    }
}
