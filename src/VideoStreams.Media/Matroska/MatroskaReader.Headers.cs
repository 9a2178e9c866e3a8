using System.Buffers;
using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

/// <summary>Parsing of the small master elements read whole: EBML header, Info, Tracks and Tags.</summary>
public sealed partial class MatroskaReader
{
    private const uint ContentEncodings = 0x6D80;

    /// <summary>
    /// Reads the next child of a fully buffered master element. Returns false at the end of the parent; a child that
    /// does not fit in what is left of the parent is malformed.
    /// </summary>
    private static bool TryReadChild(ref SequenceReader<byte> r, long baseOffset, out EbmlElementHeader header, out ReadOnlySequence<byte> payload, out long offset)
    {
        offset = baseOffset + r.Consumed;
        payload = default;
        if (r.End)
        {
            header = default;
            return false;
        }

        if (!EbmlVarInt.TryReadHeader(ref r, offset, out header))
        {
            ThrowHelper.Throw(MediaFormatError.ElementOutsideParent, "element header runs past its parent", offset);
        }

        if (header.IsUnknownSize)
        {
            ThrowHelper.Throw(MediaFormatError.UnknownSizeNotAllowed, $"element 0x{header.Id:X} has an unknown size", offset);
        }

        if (header.Size > r.Remaining)
        {
            ThrowHelper.Throw(MediaFormatError.ElementOutsideParent, $"element 0x{header.Id:X} of {header.Size} bytes runs past its parent", offset);
        }

        payload = r.UnreadSequence.Slice(0, header.Size);
        r.Advance(header.Size);
        return true;
    }

    private static EbmlHeader ParseEbmlHeader(ReadOnlySequence<byte> payload, long offset)
    {
        var r = new SequenceReader<byte>(payload);
        string? docType = null;
        ulong docTypeVersion = 1, docTypeReadVersion = 1, readVersion = 1, maxIdLength = 4, maxSizeLength = 8;
        while (TryReadChild(ref r, offset, out var child, out var value, out var at))
        {
            switch (child.Id)
            {
                case MatroskaIds.EbmlReadVersion: readVersion = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.EbmlMaxIdLength: maxIdLength = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.EbmlMaxSizeLength: maxSizeLength = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.DocType: docType = EbmlValues.ReadString(value); break;
                case MatroskaIds.DocTypeVersion: docTypeVersion = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.DocTypeReadVersion: docTypeReadVersion = EbmlValues.ReadUnsigned(value, at); break;
            }
        }

        if (readVersion != 1 || maxIdLength > EbmlVarInt.MaxIdLength || maxSizeLength > EbmlVarInt.MaxSizeLength)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidEbmlHeader, $"EBML read version {readVersion}, id length {maxIdLength}, size length {maxSizeLength} are not supported", offset);
        }

        if (docType is not ("matroska" or "webm"))
        {
            ThrowHelper.Throw(MediaFormatError.UnsupportedDocType, $"document type '{docType}' is not matroska or webm", offset);
        }

        if (docTypeReadVersion > 4)
        {
            ThrowHelper.Throw(MediaFormatError.UnsupportedDocType, $"document needs a version {docTypeReadVersion} reader", offset);
        }

        return new EbmlHeader(docType, docTypeVersion, docTypeReadVersion);
    }

    private static MatroskaSegmentInfo ParseInfo(ReadOnlySequence<byte> payload, long offset)
    {
        var r = new SequenceReader<byte>(payload);
        var info = new MatroskaSegmentInfo();
        while (TryReadChild(ref r, offset, out var child, out var value, out var at))
        {
            info = child.Id switch
            {
                MatroskaIds.TimestampScale => info with { TimestampScale = EbmlValues.ReadUnsigned(value, at) },
                MatroskaIds.Duration => info with { Duration = EbmlValues.ReadFloat(value, at) },
                MatroskaIds.MuxingApp => info with { MuxingApp = EbmlValues.ReadString(value) },
                MatroskaIds.WritingApp => info with { WritingApp = EbmlValues.ReadString(value) },
                MatroskaIds.Title => info with { Title = EbmlValues.ReadString(value) },
                _ => info,
            };
        }

        // 1 ns to 1 s: finer or coarser scales are not what any real writer uses, and they break time arithmetic.
        if (info.TimestampScale is 0 or > 1_000_000_000)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidValue, $"timestamp scale {info.TimestampScale} ns is out of range", offset);
        }

        return info;
    }

    private MatroskaTrack[] ParseTracks(ReadOnlySequence<byte> payload, long offset)
    {
        var r = new SequenceReader<byte>(payload);
        var tracks = new List<MatroskaTrack>();
        while (TryReadChild(ref r, offset, out var child, out var value, out var at))
        {
            if (child.Id != MatroskaIds.TrackEntry)
            {
                continue;
            }

            var track = ParseTrackEntry(value, at + child.HeaderLength);
            if (tracks.Count == _options.MaxTracks)
            {
                ThrowHelper.Throw(MediaFormatError.InvalidValue, $"more than {_options.MaxTracks} tracks", at);
            }

            if (tracks.Exists(t => t.Number == track.Number))
            {
                ThrowHelper.Throw(MediaFormatError.InvalidValue, $"track number {track.Number} declared twice", at);
            }

            tracks.Add(track);
        }

        return [.. tracks];
    }

    private static MatroskaTrack ParseTrackEntry(ReadOnlySequence<byte> payload, long offset)
    {
        var r = new SequenceReader<byte>(payload);
        ulong number = 0, uid = 0, type = 0, defaultDuration = 0, codecDelay = 0;
        string? codecId = null, name = null, language = null;
        byte[] codecPrivate = [];
        int width = 0, height = 0, channels = 0, bitDepth = 0;
        double samplingFrequency = 0;
        while (TryReadChild(ref r, offset, out var child, out var value, out var at))
        {
            switch (child.Id)
            {
                case MatroskaIds.TrackNumber: number = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.TrackUid: uid = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.TrackType: type = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.CodecId: codecId = EbmlValues.ReadString(value); break;
                case MatroskaIds.CodecPrivate: codecPrivate = value.ToArray(); break;
                case MatroskaIds.DefaultDuration: defaultDuration = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.CodecDelay: codecDelay = EbmlValues.ReadUnsigned(value, at); break;
                case MatroskaIds.Name: name = EbmlValues.ReadString(value); break;
                case MatroskaIds.Language: language = EbmlValues.ReadString(value); break;
                case ContentEncodings:
                    ThrowHelper.Throw(MediaFormatError.UnsupportedCodec, "tracks with content encoding (compression or encryption) are not supported", at);
                    break;
                case MatroskaIds.Video:
                    var video = new SequenceReader<byte>(value);
                    while (TryReadChild(ref video, at + child.HeaderLength, out var v, out var vv, out var vat))
                    {
                        if (v.Id == MatroskaIds.PixelWidth)
                        {
                            width = CheckedDimension(EbmlValues.ReadUnsigned(vv, vat), vat);
                        }
                        else if (v.Id == MatroskaIds.PixelHeight)
                        {
                            height = CheckedDimension(EbmlValues.ReadUnsigned(vv, vat), vat);
                        }
                    }

                    break;
                case MatroskaIds.Audio:
                    var audio = new SequenceReader<byte>(value);
                    while (TryReadChild(ref audio, at + child.HeaderLength, out var a, out var av, out var aat))
                    {
                        switch (a.Id)
                        {
                            case MatroskaIds.SamplingFrequency: samplingFrequency = EbmlValues.ReadFloat(av, aat); break;
                            case MatroskaIds.Channels: channels = CheckedDimension(EbmlValues.ReadUnsigned(av, aat), aat); break;
                            case MatroskaIds.BitDepth: bitDepth = CheckedDimension(EbmlValues.ReadUnsigned(av, aat), aat); break;
                        }
                    }

                    break;
            }
        }

        if (number == 0 || type is 0 or > 254 || string.IsNullOrEmpty(codecId))
        {
            ThrowHelper.Throw(MediaFormatError.MissingElement, "TrackEntry without a track number, type or codec id", offset);
        }

        if (double.IsNaN(samplingFrequency) || samplingFrequency < 0 || samplingFrequency > 10_000_000)
        {
            ThrowHelper.Throw(MediaFormatError.InvalidValue, $"sampling frequency {samplingFrequency} is out of range", offset);
        }

        return new MatroskaTrack
        {
            Number = number,
            Uid = uid,
            Type = (MatroskaTrackType)type,
            CodecId = codecId,
            CodecPrivate = codecPrivate,
            DefaultDuration = defaultDuration,
            CodecDelay = codecDelay,
            Name = name,
            Language = string.IsNullOrEmpty(language) ? "eng" : language,
            PixelWidth = width,
            PixelHeight = height,
            SamplingFrequency = samplingFrequency,
            Channels = channels,
            BitDepth = bitDepth,
        };
    }

    private static int CheckedDimension(ulong value, long offset) =>
        value > 65_535 ? ThrowHelper.Throw<int>(MediaFormatError.InvalidValue, $"value {value} is out of range", offset) : (int)value;

    private MatroskaTag[] ParseTags(ReadOnlySequence<byte> payload, long offset)
    {
        var r = new SequenceReader<byte>(payload);
        var tags = new List<MatroskaTag>();
        while (TryReadChild(ref r, offset, out var child, out var value, out var at))
        {
            if (child.Id != MatroskaIds.Tag)
            {
                continue;
            }

            var tag = new SequenceReader<byte>(value);
            var trackUids = new List<ulong>();
            var simpleTags = new List<MatroskaSimpleTag>();
            ulong targetTypeValue = 50;
            while (TryReadChild(ref tag, at + child.HeaderLength, out var t, out var tv, out var tat))
            {
                if (t.Id == MatroskaIds.SimpleTag)
                {
                    simpleTags.Add(ParseSimpleTag(tv, tat + t.HeaderLength, 1));
                }
                else if (t.Id == MatroskaIds.Targets)
                {
                    var targets = new SequenceReader<byte>(tv);
                    while (TryReadChild(ref targets, tat + t.HeaderLength, out var g, out var gv, out var gat))
                    {
                        if (g.Id == MatroskaIds.TagTrackUid)
                        {
                            trackUids.Add(EbmlValues.ReadUnsigned(gv, gat));
                        }
                        else if (g.Id == MatroskaIds.TargetTypeValue)
                        {
                            targetTypeValue = EbmlValues.ReadUnsigned(gv, gat);
                        }
                    }
                }
            }

            tags.Add(new MatroskaTag(trackUids, simpleTags) { TargetTypeValue = targetTypeValue });
        }

        return [.. tags];
    }

    private MatroskaSimpleTag ParseSimpleTag(ReadOnlySequence<byte> payload, long offset, int depth)
    {
        if (depth > _options.MaxNestingDepth)
        {
            ThrowHelper.Throw(MediaFormatError.NestingTooDeep, $"SimpleTags nested deeper than {_options.MaxNestingDepth}", offset);
        }

        var r = new SequenceReader<byte>(payload);
        string name = "";
        string? text = null;
        ReadOnlyMemory<byte> binary = default;
        List<MatroskaSimpleTag>? children = null;
        while (TryReadChild(ref r, offset, out var child, out var value, out var at))
        {
            switch (child.Id)
            {
                case MatroskaIds.TagName: name = EbmlValues.ReadString(value); break;
                case MatroskaIds.TagString: text = EbmlValues.ReadString(value); break;
                case MatroskaIds.TagBinary: binary = value.ToArray(); break;
                case MatroskaIds.SimpleTag:
                    (children ??= []).Add(ParseSimpleTag(value, at + child.HeaderLength, depth + 1));
                    break;
            }
        }

        return new MatroskaSimpleTag(name, text) { Binary = binary, Children = children ?? [] };
    }
}
