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

    public static ReadOnlySequence<byte> Create(List<ReadOnlyMemory<byte>> blocks)
    {
        if (blocks.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (blocks.Count == 1)
        {
            return new ReadOnlySequence<byte>(blocks[0]);
        }

        var first = new BlockSequence(blocks[0], 0);
        var last = first;
        for (var i = 1; i < blocks.Count; i++)
        {
            var next = new BlockSequence(blocks[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
