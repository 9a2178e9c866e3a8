using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Tests.Spool;

namespace VideoStreams.Producer.Tests.CrashHost;

/// <summary>
/// Entry point of the test assembly when run as a child process (<c>dotnet exec VideoStreams.Producer.Tests.dll
/// spool-crash-host DIR</c>): appends fragments to a spool as fast as it can, acknowledges every third, and prints
/// each sequence number once the call has returned, until it is killed. The test runner never calls it.
/// </summary>
public static class Program
{
    public const string Command = "spool-crash-host";
    public const int BodySize = 20_000;

    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != Command)
        {
            return 2;
        }

        using var spool = FragmentSpool.Open(new SpoolOptions { Directory = args[1], MaxBytes = 256L << 20, SegmentBytes = 256 * 1024 });
        var output = Console.Out;
        for (var sequence = spool.NextSequenceNumber; ; sequence++)
        {
            spool.Append(TestFragments.Make(sequence, BodySize));
            output.WriteLine($"APPENDED {sequence}");
            if (sequence % 3 == 0 && spool.Acknowledge(sequence))
            {
                output.WriteLine($"ACKED {sequence}");
            }

            output.Flush();
        }
    }
}
