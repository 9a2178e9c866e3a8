using System.Buffers.Binary;
using System.Text;

namespace VideoStreams.Cli.Tests.Media;

/// <summary>The top-level boxes of an ISO BMFF file, read from its bytes (ISO/IEC 14496-12 §4.2 box header).</summary>
internal static class TopLevelBoxes
{
    /// <summary>Each top-level box's type and size, in file order; fails the test when they do not tile the file.</summary>
    public static IReadOnlyList<(string Type, long Size)> Read(string path)
    {
        using var file = File.OpenRead(path);
        var boxes = new List<(string, long)>();
        Span<byte> header = stackalloc byte[16];
        for (long position = 0; position < file.Length;)
        {
            file.Position = position;
            file.ReadExactly(header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header[4..8]);
            if (size == 1)
            {
                file.ReadExactly(header[8..16]);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header[8..]);
            }
            else if (size == 0)
            {
                size = file.Length - position;
            }

            Assert.True(size >= 8 && position + size <= file.Length, $"box '{type}' at {position} claims {size} bytes of a {file.Length}-byte file");
            boxes.Add((type, size));
            position += size;
        }

        return boxes;
    }
}
