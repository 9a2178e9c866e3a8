using System.Buffers.Binary;
using System.Text;

namespace VideoStreams.Media.Tests.Mp4;

/// <summary>One ISO BMFF box as the test-side reader sees it: absolute offset, full size, payload and children.</summary>
internal sealed class Mp4Box
{
    private static readonly HashSet<string> Containers = ["moov", "trak", "mdia", "minf", "stbl", "dinf", "edts", "mvex", "moof", "traf", "udta"];

    public required string Type { get; init; }
    public required long Offset { get; init; }
    public required long Size { get; init; }
    public required int HeaderSize { get; init; }
    public required ReadOnlyMemory<byte> Payload { get; init; }
    public List<Mp4Box> Children { get; } = [];

    public byte Version => Payload.Span[0];
    public uint Flags => BinaryPrimitives.ReadUInt32BigEndian(Payload.Span) & 0xFFFFFF;

    /// <summary>Parses the boxes of <paramref name="data"/> (which starts at file offset <paramref name="baseOffset"/>).</summary>
    public static List<Mp4Box> ParseAll(ReadOnlyMemory<byte> data, long baseOffset = 0)
    {
        var boxes = new List<Mp4Box>();
        var span = data.Span;
        var pos = 0;
        while (pos + 8 <= data.Length)
        {
            long size = BinaryPrimitives.ReadUInt32BigEndian(span[pos..]);
            var type = Encoding.ASCII.GetString(span.Slice(pos + 4, 4));
            var header = 8;
            if (size == 1)
            {
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(span[(pos + 8)..]);
                header = 16;
            }
            else if (size == 0)
            {
                size = data.Length - pos;
            }

            if (size < header)
            {
                throw new InvalidDataException($"box {type} at {baseOffset + pos} has size {size}");
            }

            // An mdat may run past what we were given (a header-only buffer): keep what is there.
            var available = (int)Math.Min(size, data.Length - pos);
            var box = new Mp4Box
            {
                Type = type,
                Offset = baseOffset + pos,
                Size = size,
                HeaderSize = header,
                Payload = data.Slice(pos + header, available - header),
            };
            if (Containers.Contains(type))
            {
                box.Children.AddRange(ParseAll(box.Payload, box.Offset + header));
            }

            boxes.Add(box);
            if (size > data.Length - pos)
            {
                break;
            }

            pos += (int)size;
        }

        return boxes;
    }

    public Mp4Box? Find(string path) => Find(Children, path);

    public Mp4Box Get(string path) => Find(path) ?? throw new InvalidDataException($"{Type} has no {path}");

    public IEnumerable<Mp4Box> All(string type) => Children.Where(c => c.Type == type);

    public static Mp4Box? Find(IEnumerable<Mp4Box> boxes, string path)
    {
        var parts = path.Split('/', 2);
        var box = boxes.FirstOrDefault(b => b.Type == parts[0]);
        return box is null || parts.Length == 1 ? box : box.Find(parts[1]);
    }

    /// <summary>The sample entries of an <c>stsd</c> box.</summary>
    public List<Mp4Box> SampleEntries()
    {
        var entries = ParseAll(Payload[8..], Offset + HeaderSize + 8);
        if (entries.Count != (int)BinaryPrimitives.ReadUInt32BigEndian(Payload.Span[4..]))
        {
            throw new InvalidDataException("stsd entry count does not match its entries");
        }

        return entries;
    }
}

/// <summary>A big-endian cursor over a box payload.</summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> span)
{
    private readonly ReadOnlySpan<byte> _span = span;

    public int Position { get; set; }

    public readonly int Remaining => _span.Length - Position;

    public byte U8() => _span[Position++];

    public ushort U16()
    {
        var v = BinaryPrimitives.ReadUInt16BigEndian(_span[Position..]);
        Position += 2;
        return v;
    }

    public uint U32()
    {
        var v = BinaryPrimitives.ReadUInt32BigEndian(_span[Position..]);
        Position += 4;
        return v;
    }

    public int I32() => (int)U32();

    public ulong U64()
    {
        var v = BinaryPrimitives.ReadUInt64BigEndian(_span[Position..]);
        Position += 8;
        return v;
    }

    public ulong U32Or64(bool wide) => wide ? U64() : U32();

    public ReadOnlySpan<byte> Bytes(int count)
    {
        var s = _span.Slice(Position, count);
        Position += count;
        return s;
    }

    public void Skip(int count) => Position += count;

    /// <summary>An MPEG-4 descriptor size: 7 bits a byte, high bit = more follows.</summary>
    public int ExpandableSize()
    {
        var size = 0;
        for (var i = 0; i < 4; i++)
        {
            var b = U8();
            size = (size << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return size;
    }
}
