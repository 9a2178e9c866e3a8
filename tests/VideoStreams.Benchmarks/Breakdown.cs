using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using VideoStreams.Media.Matroska;
using VideoStreams.Media.Remux;

namespace VideoStreams.Benchmarks;

/// <summary>
/// <c>-- breakdown [FILE.mkv] [--reps N]</c>: where the time of <c>vs media remux</c> goes, phase by phase, in one
/// process with the same calls the CLI makes (file in, file out), next to the I/O floors (plain sequential read and
/// write of as many bytes). The first repetition runs on freshly jitted (tier-0) code, as a CLI run does; the median of
/// the others is steady state.
/// </summary>
internal static class Breakdown
{
    // --only TEXT: run just the phases whose name contains it (e.g. under a profiler).
    private static string? _only;

    // Outputs of the phases, emptied before each repetition.
    private static DirectoryInfo _output = null!;

    private static readonly MatroskaEventHandler NoOp = static (_, in _) => { };

    public static async Task RunAsync(string[] args)
    {
        var reps = 5;
        string? path = null;
        _only = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps")
            {
                reps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--only")
            {
                _only = args[++i];
            }
            else
            {
                path = args[i];
            }
        }

        path ??= BenchInput.Ensure();
        var size = new FileInfo(path).Length;
        var output = _output = Directory.CreateDirectory(Path.Combine(BenchInput.CacheFolder, $"breakdown-{Environment.ProcessId}"));
        Console.WriteLine($"{path}: {size / 1e6:0.0} MB; {reps} repetitions per phase (first = cold JIT, then median of the rest)");
        Console.WriteLine();
        Console.WriteLine("| phase | first run ms | median ms | MB/s of input | allocated (median run) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        try
        {
            var bytes = await File.ReadAllBytesAsync(path);
            var target = Path.Combine(output.FullName, "out.mp4");
            var plan = Mp4Remuxer.Plan(bytes);
            await Phase("read file sequentially, 1 MiB reads (floor)", size, reps, () => ReadAll(path));
            await Phase("write as many bytes, 1 MiB writes (floor)", size, reps, () => WriteAll(bytes, target, presize: false));
            await Phase("write as many bytes, file presized (SetLength)", size, reps, () => WriteAll(bytes, target, presize: true));
            await Phase("MP4 plan: Mp4Remuxer.PlanAsync(file)", size, reps, () => WithInput(path, input => Mp4Remuxer.PlanAsync(input)));
            await Phase("MP4 plan: Mp4Remuxer.Plan(memory)", size, reps, () => Task.FromResult(Mp4Remuxer.Plan(bytes)));
            await Phase("MP4 plan: Mp4Remuxer.Plan(file handle)", size, reps, () => PlanFile(path));
            await Phase("MP4 write: plan.WriteTo(file handle, file handle)", size, reps, () => WriteMp4(plan, path, target));
            await Phase("fMP4: CmafSegmenter(memory), counting sink", size, reps, () => Task.FromResult(Segment(bytes)));
            await Phase("HLS: HlsFolderWriter.RemuxAsync(file, folder)", size, reps, () => WithInput(path, input => HlsFolderWriter.RemuxAsync(input, output.CreateSubdirectory("hls"))));
            await Phase("HLS: HlsFolderWriter.Remux(file handle, folder)", size, reps, () => HlsFile(path, output.CreateSubdirectory("hls")));
            await Phase("MKV read only: ReadAsync(file), no-op handler", size, reps, () => WithInput(path, input => new MatroskaReader().ReadAsync(input, NoOp)));
            await Phase("MKV read only: synchronous loop, 4 MiB buffer", size, reps, () => ReadSynchronously(path, NoOp));
            await Phase("MKV read only: ReadFile (prefetching), no-op handler", size, reps, () => ReadPrefetched(path));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static void DeleteOutputs()
    {
        foreach (var entry in _output.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    private static async Task Phase(string name, long inputBytes, int reps, Func<Task> action)
    {
        if (_only is not null && !name.Contains(_only, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var times = new double[reps];
        var allocated = new long[reps];
        for (var i = 0; i < reps; i++)
        {
            // As remux-vs-ffmpeg.sh does: the previous run's output is deleted and flushed first, untimed.
            DeleteOutputs();
            using (var sync = Process.Start("sync"))
            {
                sync.WaitForExit();
            }

            var before = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            await action();
            times[i] = clock.Elapsed.TotalMilliseconds;
            allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        var median = WarmMedian(times);
        var medianAllocated = WarmMedian(allocated);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {times[0]:0} | {median:0} | {inputBytes / 1e3 / median:0} | {medianAllocated / 1024.0:0} KiB |"));
    }

    /// <summary>
    /// The reader driven without PipeReader or async: read into one buffer, parse, move the unconsumed tail to the front.
    /// Shows what the CLI's plan pass could cost with a synchronous loop.
    /// </summary>
    private static Task ReadSynchronously(string path, MatroskaEventHandler handler)
    {
        using var file = File.OpenHandle(path);
        var reader = new MatroskaReader();
        var buffer = new byte[4 << 20];
        long fileOffset = 0;
        var length = 0;
        while (true)
        {
            var read = RandomAccess.Read(file, buffer.AsSpan(length), fileOffset);
            fileOffset += read;
            length += read;
            var sequence = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, length));
            while (reader.TryRead(ref sequence, out var ev, isFinalBlock: read == 0))
            {
                handler(reader, ev);
            }

            if (read == 0)
            {
                return Task.CompletedTask;
            }

            var consumed = (int)sequence.Consumed;
            buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
            length -= consumed;
            if (length == buffer.Length)
            {
                // One element larger than the buffer (the reader bounds it by MaxElementSize).
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    private static long Segment(byte[] bytes)
    {
        var sink = new CountingSink();
        using (var segmenter = new CmafSegmenter(sink))
        {
            new MatroskaReader().ReadAll(bytes, segmenter.Handle);
            segmenter.Complete();
        }

        return sink.Bytes;
    }

    /// <summary>The median of all runs but the first (the first alone when there is only one).</summary>
    private static T WarmMedian<T>(T[] values)
    {
        var warm = values.Length > 1 ? values[1..] : values;
        Array.Sort(warm);
        return warm[warm.Length / 2];
    }

    private static async Task WithInput(string path, Func<FileStream, Task> action)
    {
        await using var input = OpenInput(path);
        await action(input);
    }

    private static FileStream OpenInput(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 0 });

    private static Task ReadAll(string path)
    {
        using var stream = OpenInput(path);
        var buffer = new byte[1 << 20];
        while (stream.Read(buffer) > 0)
        {
        }

        return Task.CompletedTask;
    }

    private static Task WriteAll(byte[] bytes, string target, bool presize)
    {
        using var stream = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        if (presize)
        {
            stream.SetLength(bytes.Length);
        }

        for (var offset = 0; offset < bytes.Length; offset += 1 << 20)
        {
            stream.Write(bytes, offset, Math.Min(1 << 20, bytes.Length - offset));
        }

        return Task.CompletedTask;
    }

    // As RemuxCommand does it: the destination preallocated, gather writes from the source window.
    private static Task WriteMp4(Mp4RemuxPlan plan, string source, string target)
    {
        using var input = File.OpenHandle(source);
        using var destination = File.OpenHandle(target, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, plan.Layout.FileSize);
        plan.WriteTo(input, destination);
        return Task.CompletedTask;
    }

    private static Task ReadPrefetched(string source)
    {
        using var input = File.OpenHandle(source);
        new MatroskaReader().ReadFile(input, NoOp);
        return Task.CompletedTask;
    }

    private static Task PlanFile(string source)
    {
        using var input = File.OpenHandle(source);
        Mp4Remuxer.Plan(input);
        return Task.CompletedTask;
    }

    private static Task HlsFile(string source, DirectoryInfo folder)
    {
        using var input = File.OpenHandle(source);
        HlsFolderWriter.Remux(input, folder);
        return Task.CompletedTask;
    }
}
