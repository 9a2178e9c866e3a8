using System.Buffers;

namespace VideoStreams.Media.IO;

/// <summary>Chains the unconsumed parts of consecutive blocks into one sequence, without copying.</summary>
internal sealed class BlockSequence : ReadOnlySequenceSegment<byte>
{
    private BlockSequence(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Create(List<(byte[] Buffer, int Start, int Length)> blocks)
    {
        if (blocks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (blocks.Count == 1)
        {
            return new ReadOnlySequence<byte>(blocks[0].Buffer, blocks[0].Start, blocks[0].Length);
        }

        var first = new BlockSequence(blocks[0].Buffer.AsMemory(blocks[0].Start, blocks[0].Length), 0);
        var last = first;
        for (var i = 1; i < blocks.Count; i++)
        {
            var next = new BlockSequence(blocks[i].Buffer.AsMemory(blocks[i].Start, blocks[i].Length), last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
