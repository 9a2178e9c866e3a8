using System.Diagnostics;
using System.Globalization;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Tests.CrashHost;

namespace VideoStreams.Producer.Tests.Spool;

public sealed class ProcessCrashTests
{
    [Fact]
    public async Task After_sigkill_every_fragment_whose_append_returned_is_replayed_and_nothing_acknowledged_comes_back()
    {
        using var folder = new TempFolder();
        var appended = new SortedSet<long>();
        var acknowledged = new HashSet<long>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            await RunAndKillAsync(folder.Path, lines: 60 + (cycle * 37), appended, acknowledged);

            using var spool = FragmentSpool.Open(new SpoolOptions { Directory = folder.Path, MaxBytes = 256L << 20, SegmentBytes = 256 * 1024 });
            Assert.Equal(0, spool.CorruptRecords);
            var pending = spool.PendingSequenceNumbers();
            Assert.Equal(pending.Order(), pending);
            foreach (var sequence in appended)
            {
                Assert.Equal(!acknowledged.Contains(sequence), pending.Contains(sequence));
            }

            // Beyond what was read, the host went on appending until the kill: those fragments are there too, whole.
            Assert.True(pending.Count >= appended.Count - acknowledged.Count);
            var after = -1L;
            while (spool.TryReadNext(after, out var fragment))
            {
                Assert.Equal(TestFragments.Make(fragment.SequenceNumber, Program.BodySize).Body.ToArray(), fragment.Body.ToArray());
                after = fragment.SequenceNumber;
            }

            Assert.Equal(0, spool.CorruptRecords);
        }
    }

    private static async Task RunAndKillAsync(string folder, int lines, SortedSet<long> appended, HashSet<long> acknowledged)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add(Program.Command);
        psi.ArgumentList.Add(folder);
        using var process = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var seen = 0;
        var last = 0L;

        // Stop after an APPENDED line with no ACKED line to follow, so every acknowledgement of what was seen was read.
        while (!(seen >= lines && last % 3 != 0) && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var parts = line.Split(' ');
            var sequence = long.Parse(parts[1], CultureInfo.InvariantCulture);
            if (parts[0] == "APPENDED")
            {
                appended.Add(sequence);
                last = sequence;
                seen++;
            }
            else
            {
                acknowledged.Add(sequence);
            }
        }

        if (seen < lines)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the host stopped early (exit {(process.HasExited ? process.ExitCode : -1)}): {await stderr}");
        }

        // SIGKILL mid-stream: whatever the host is doing (writing, syncing) stops at once.
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(timeout.Token);
    }
}
