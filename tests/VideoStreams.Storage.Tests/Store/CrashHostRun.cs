using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VideoStreams.Storage.Tests.Store;

/// <summary>One run of the crash host (<c>dotnet VideoStreams.Storage.CrashHost.dll</c>), SIGKILLed, and what it printed.</summary>
internal sealed record CrashHostRun(bool Ready, TimeSpan KilledAfter, List<long> Appended, List<PrintedFragment> Persisted)
{
    /// <summary>The host, copied into the test output by the project reference.</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "VideoStreams.Storage.CrashHost.dll");

    /// <summary>
    /// Starts the host on <paramref name="data"/>, waits for READY (when <paramref name="afterReady"/>), lets it run for
    /// <paramref name="runFor"/>, SIGKILLs it, and reads what it printed. A line the kill cut short is not a print.
    /// </summary>
    public static async Task<CrashHostRun> StartAndKillAsync(string data, int runSeed, int streams, long chunkSize, TimeSpan runFor, bool afterReady)
    {
        Assert.True(File.Exists(Dll), $"crash host not found at {Dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Dll, data, "--streams", $"{streams}", "--seed", $"{runSeed}", "--chunk-size", $"{chunkSize}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = ReadAllAsync(process.StandardOutput.BaseStream, ready);
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        if (afterReady)
        {
            var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(first == ready.Task, $"the crash host did not get ready: {(process.HasExited ? $"exit {process.ExitCode}: " + await stderr : "timed out")}");
        }

        var clock = Stopwatch.StartNew();
        if (await Task.WhenAny(exited, Task.Delay(runFor)) == exited)
        {
            Assert.Fail($"the crash host stopped by itself (exit {process.ExitCode}): {await stderr}");
        }

        var killedAfter = clock.Elapsed;
        process.Kill(entireProcessTree: true); // SIGKILL: no handler, no flush, no Dispose
        await exited;
        var text = await stdout;
        var errors = await stderr;
        Assert.True(errors.Length == 0, $"the crash host wrote to stderr: {errors}");
        return Parse(text, ready.Task.IsCompleted, killedAfter);
    }

    private static CrashHostRun Parse(string text, bool ready, TimeSpan killedAfter)
    {
        var appended = new List<long>();
        var persisted = new List<PrintedFragment>();
        // Only lines that reached their newline count: the kill may cut the last one.
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        foreach (var line in complete.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "A":
                    appended.Add(long.Parse(parts[1], CultureInfo.InvariantCulture));
                    break;
                case "P":
                    persisted.Add(new PrintedFragment(long.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture),
                        long.Parse(parts[3], CultureInfo.InvariantCulture), parts[4]));
                    break;
                case "READY":
                    break;
                default:
                    Assert.Fail($"unexpected line from the crash host: {line}");
                    break;
            }
        }

        return new CrashHostRun(ready, killedAfter, appended, persisted);
    }

    private static async Task<string> ReadAllAsync(Stream stdout, TaskCompletionSource ready)
    {
        var text = new StringBuilder();
        var buffer = ArrayPool<byte>.Shared.Rent(64 << 10);
        try
        {
            int read;
            while ((read = await stdout.ReadAsync(buffer)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
                if (!ready.Task.IsCompleted && text.Length >= 6 && text.ToString(0, 6) == "READY\n")
                {
                    ready.TrySetResult();
                }
            }

            return text.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>A "P" line: a fragment the host saw PERSISTED.</summary>
internal sealed record PrintedFragment(long Number, int Stream, long ProducerMs, string Sha256);
