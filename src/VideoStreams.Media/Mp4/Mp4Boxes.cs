namespace VideoStreams.Media.Mp4;

/// <summary>
/// Leaf boxes shared by the fragmented and the progressive writer. Each writer has a matching <c>SizeOf…</c> so
/// the progressive header can be sized exactly before a single byte is written.
/// </summary>
internal static partial class Mp4Boxes
{
    public const int MvhdSizeV0 = 108;
    public const int MvhdSizeV1 = 120;
    public const int TkhdSizeV0 = 92;
    public const int TkhdSizeV1 = 104;
    public const int MdhdSizeV0 = 32;
    public const int MdhdSizeV1 = 44;
    public const int HdlrSize = 32 + 13; // both handler names are 12 characters plus the terminator
    public const int VmhdSize = 20;
    public const int SmhdSize = 16;
    public const int DinfSize = 36;

    /// <summary>Movie timescale of the progressive writer: milliseconds, so edit lists are easy to reason about.</summary>
    public const uint MovieTimescale = 1000;

    private static ReadOnlySpan<uint> UnityMatrix => [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

    public static int SizeOfFtyp(int compatibleBrandsLength) => 16 + compatibleBrandsLength;

    /// <summary><c>ftyp</c>; <paramref name="compatibleBrands"/> is the brands' four-character codes back to back.</summary>
    public static void WriteFtyp(ref BoxWriter w, scoped ReadOnlySpan<byte> majorBrand, uint minorVersion, scoped ReadOnlySpan<byte> compatibleBrands)
    {
        var box = w.StartBox("ftyp"u8);
        w.WriteBytes(majorBrand);
        w.WriteUInt32(minorVersion);
        w.WriteBytes(compatibleBrands);
        w.EndBox(box);
    }

    public static bool NeedsVersion1(ulong duration) => duration > uint.MaxValue;

    public static void WriteMvhd(ref BoxWriter w, uint timescale, ulong duration, uint nextTrackId)
    {
        var wide = NeedsVersion1(duration);
        var box = w.StartFullBox("mvhd"u8, wide ? (byte)1 : (byte)0, 0);
        w.WriteUInt32Or64(0, wide); // creation time: unknown, and 0 keeps output deterministic
        w.WriteUInt32Or64(0, wide); // modification time
        w.WriteUInt32(timescale);
        w.WriteUInt32Or64(duration, wide);
        w.WriteUInt32(0x00010000); // rate 1.0
        w.WriteUInt16(0x0100); // volume 1.0
        w.WriteZeros(2 + 8);
        WriteMatrix(ref w);
        w.WriteZeros(24); // pre_defined
        w.WriteUInt32(nextTrackId);
        w.EndBox(box);
    }

    /// <summary><c>tkhd</c> with flags enabled | in_movie | in_preview; width and height in 16.16 fixed point.</summary>
    public static void WriteTkhd(ref BoxWriter w, Mp4Track track, ulong duration, int width, int height)
    {
        var wide = NeedsVersion1(duration);
        var box = w.StartFullBox("tkhd"u8, wide ? (byte)1 : (byte)0, 0x7);
        w.WriteUInt32Or64(0, wide);
        w.WriteUInt32Or64(0, wide);
        w.WriteUInt32(track.TrackId);
        w.WriteUInt32(0);
        w.WriteUInt32Or64(duration, wide);
        w.WriteZeros(8);
        w.WriteUInt16(0); // layer
        w.WriteUInt16(0); // alternate_group
        w.WriteUInt16(track.Kind == Mp4TrackKind.Audio ? (ushort)0x0100 : (ushort)0);
        w.WriteUInt16(0);
        WriteMatrix(ref w);
        w.WriteUInt32((uint)width << 16);
        w.WriteUInt32((uint)height << 16);
        w.EndBox(box);
    }

    public static void WriteMdhd(ref BoxWriter w, uint timescale, ulong duration, string language)
    {
        var wide = NeedsVersion1(duration);
        var box = w.StartFullBox("mdhd"u8, wide ? (byte)1 : (byte)0, 0);
        w.WriteUInt32Or64(0, wide);
        w.WriteUInt32Or64(0, wide);
        w.WriteUInt32(timescale);
        w.WriteUInt32Or64(duration, wide);
        w.WriteUInt16(PackLanguage(language));
        w.WriteUInt16(0);
        w.EndBox(box);
    }

    /// <summary>ISO 639-2/T code packed as three 5-bit letters (each minus 0x60); anything else becomes "und".</summary>
    internal static ushort PackLanguage(string language)
    {
        if (language is not { Length: 3 } || !IsLower(language[0]) || !IsLower(language[1]) || !IsLower(language[2]))
        {
            language = "und";
        }

        return (ushort)(((language[0] - 0x60) << 10) | ((language[1] - 0x60) << 5) | (language[2] - 0x60));

        static bool IsLower(char c) => c is >= 'a' and <= 'z';
    }

    public static void WriteHdlr(ref BoxWriter w, Mp4TrackKind kind)
    {
        var box = w.StartFullBox("hdlr"u8, 0, 0);
        w.WriteUInt32(0); // pre_defined
        w.WriteBytes(kind == Mp4TrackKind.Video ? "vide"u8 : "soun"u8);
        w.WriteZeros(12);
        w.WriteBytes(kind == Mp4TrackKind.Video ? "VideoHandler\0"u8 : "SoundHandler\0"u8);
        w.EndBox(box);
    }

    public static int SizeOfMediaHeader(Mp4TrackKind kind) => kind == Mp4TrackKind.Video ? VmhdSize : SmhdSize;

    /// <summary>The media information header (<c>vmhd</c> or <c>smhd</c>) followed by <c>dinf</c>.</summary>
    public static void WriteMediaHeaderAndDinf(ref BoxWriter w, Mp4TrackKind kind)
    {
        if (kind == Mp4TrackKind.Video)
        {
            var vmhd = w.StartFullBox("vmhd"u8, 0, 1); // flags 1 is mandated by the spec
            w.WriteZeros(8); // graphicsmode, opcolor
            w.EndBox(vmhd);
        }
        else
        {
            var smhd = w.StartFullBox("smhd"u8, 0, 0);
            w.WriteZeros(4); // balance, reserved
            w.EndBox(smhd);
        }

        var dinf = w.StartBox("dinf"u8);
        var dref = w.StartFullBox("dref"u8, 0, 0);
        w.WriteUInt32(1);
        var url = w.StartFullBox("url "u8, 0, 1); // flag 1: the media data is in this file
        w.EndBox(url);
        w.EndBox(dref);
        w.EndBox(dinf);
    }

    /// <summary>Writes a version-0 full box holding only a zero entry count (the empty tables of an init segment).</summary>
    public static void WriteEmptyTable(ref BoxWriter w, scoped ReadOnlySpan<byte> type)
    {
        var box = w.StartFullBox(type, 0, 0);
        w.WriteUInt32(0);
        if (type.SequenceEqual("stsz"u8))
        {
            w.WriteUInt32(0); // stsz has sample_size before sample_count
        }

        w.EndBox(box);
    }

    private static void WriteMatrix(ref BoxWriter w)
    {
        foreach (var v in UnityMatrix)
        {
            w.WriteUInt32(v);
        }
    }
}
