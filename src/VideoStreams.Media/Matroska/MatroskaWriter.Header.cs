using VideoStreams.Media.Ebml;

namespace VideoStreams.Media.Matroska;

public sealed partial class MatroskaWriter
{
    private static void Validate(EbmlHeader header, MatroskaSegmentInfo info, IReadOnlyList<MatroskaTrack> tracks)
    {
        if (string.IsNullOrEmpty(header.DocType) || header.DocTypeReadVersion > header.DocTypeVersion)
        {
            throw new ArgumentException("The EBML header needs a DocType and a read version no higher than its version.", nameof(header));
        }

        if (info.TimestampScale == 0)
        {
            throw new ArgumentException("TimestampScale must be positive.", nameof(info));
        }

        if (info.Duration is { } duration && (!double.IsFinite(duration) || duration < 0))
        {
            throw new ArgumentException("Duration must be a finite, non-negative number of ticks.", nameof(info));
        }

        if (tracks.Count == 0)
        {
            throw new ArgumentException("A Segment needs at least one track.", nameof(tracks));
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i] ?? throw new ArgumentException($"Track {i} is null.", nameof(tracks));
            if (track.Number == 0 || track.Number > EbmlWriter.MaxSize)
            {
                throw new ArgumentException($"Track number {track.Number} is out of range.", nameof(tracks));
            }

            for (var j = 0; j < i; j++)
            {
                if (tracks[j].Number == track.Number)
                {
                    throw new ArgumentException($"Track number {track.Number} is declared twice.", nameof(tracks));
                }
            }

            if (string.IsNullOrEmpty(track.CodecId) || !System.Text.Ascii.IsValid(track.CodecId))
            {
                throw new ArgumentException($"Track {track.Number} needs an ASCII codec id.", nameof(tracks));
            }

            if (track.PixelWidth < 0 || track.PixelHeight < 0 || track.Channels < 0 || track.BitDepth < 0
                || !double.IsFinite(track.SamplingFrequency) || track.SamplingFrequency < 0)
            {
                throw new ArgumentException($"Track {track.Number} has a negative or non-finite video or audio setting.", nameof(tracks));
            }
        }
    }

    private static void WriteEbmlHeader(EbmlWriterBuffer b, EbmlHeader header)
    {
        var ebml = b.BeginMaster(MatroskaIds.Ebml);
        EbmlWriter.WriteUInt(b, MatroskaIds.EbmlVersion, 1);
        EbmlWriter.WriteUInt(b, MatroskaIds.EbmlReadVersion, 1);
        EbmlWriter.WriteUInt(b, MatroskaIds.EbmlMaxIdLength, 4);
        EbmlWriter.WriteUInt(b, MatroskaIds.EbmlMaxSizeLength, 8);
        EbmlWriter.WriteString(b, MatroskaIds.DocType, header.DocType);
        EbmlWriter.WriteUInt(b, MatroskaIds.DocTypeVersion, header.DocTypeVersion);
        EbmlWriter.WriteUInt(b, MatroskaIds.DocTypeReadVersion, header.DocTypeReadVersion);
        b.EndMaster(ebml);
    }

    private static void WriteInfo(EbmlWriterBuffer b, MatroskaSegmentInfo info)
    {
        var master = b.BeginMaster(MatroskaIds.Info);
        EbmlWriter.WriteUInt(b, MatroskaIds.TimestampScale, info.TimestampScale);
        if (info.Duration is { } duration)
        {
            EbmlWriter.WriteFloat(b, MatroskaIds.Duration, duration);
        }

        if (info.Title is { } title)
        {
            EbmlWriter.WriteString(b, MatroskaIds.Title, title);
        }

        EbmlWriter.WriteString(b, MatroskaIds.MuxingApp, info.MuxingApp ?? AppName);
        EbmlWriter.WriteString(b, MatroskaIds.WritingApp, info.WritingApp ?? AppName);
        b.EndMaster(master);
    }

    private static void WriteTracks(EbmlWriterBuffer b, IReadOnlyList<MatroskaTrack> tracks)
    {
        var master = b.BeginMaster(MatroskaIds.Tracks);
        for (var i = 0; i < tracks.Count; i++)
        {
            WriteTrack(b, tracks[i]);
        }

        b.EndMaster(master);
    }

    private static void WriteTrack(EbmlWriterBuffer b, MatroskaTrack track)
    {
        var entry = b.BeginMaster(MatroskaIds.TrackEntry);
        EbmlWriter.WriteUInt(b, MatroskaIds.TrackNumber, track.Number);
        EbmlWriter.WriteUInt(b, MatroskaIds.TrackUid, track.Uid != 0 ? track.Uid : track.Number);
        EbmlWriter.WriteUInt(b, MatroskaIds.TrackType, (ulong)track.Type);

        // Blocks are never laced; saying so spares readers the lacing checks (the default is 1).
        EbmlWriter.WriteUInt(b, MatroskaIds.FlagLacing, 0);
        if (track.Name is { } name)
        {
            EbmlWriter.WriteString(b, MatroskaIds.Name, name);
        }

        if (track.Language != "eng")
        {
            EbmlWriter.WriteString(b, MatroskaIds.Language, track.Language);
        }

        EbmlWriter.WriteString(b, MatroskaIds.CodecId, track.CodecId);
        if (!track.CodecPrivate.IsEmpty)
        {
            EbmlWriter.WriteBinary(b, MatroskaIds.CodecPrivate, track.CodecPrivate.Span);
        }

        if (track.DefaultDuration > 0)
        {
            EbmlWriter.WriteUInt(b, MatroskaIds.DefaultDuration, track.DefaultDuration);
        }

        if (track.CodecDelay > 0)
        {
            EbmlWriter.WriteUInt(b, MatroskaIds.CodecDelay, track.CodecDelay);
        }

        if (track.Type == MatroskaTrackType.Video && (track.PixelWidth > 0 || track.PixelHeight > 0))
        {
            var video = b.BeginMaster(MatroskaIds.Video);
            EbmlWriter.WriteUInt(b, MatroskaIds.PixelWidth, (ulong)track.PixelWidth);
            EbmlWriter.WriteUInt(b, MatroskaIds.PixelHeight, (ulong)track.PixelHeight);
            b.EndMaster(video);
        }

        if (track.Type == MatroskaTrackType.Audio && (track.SamplingFrequency > 0 || track.Channels > 0))
        {
            var audio = b.BeginMaster(MatroskaIds.Audio);
            if (track.SamplingFrequency > 0)
            {
                EbmlWriter.WriteFloat(b, MatroskaIds.SamplingFrequency, track.SamplingFrequency);
            }

            if (track.Channels > 0)
            {
                EbmlWriter.WriteUInt(b, MatroskaIds.Channels, (ulong)track.Channels);
            }

            if (track.BitDepth > 0)
            {
                EbmlWriter.WriteUInt(b, MatroskaIds.BitDepth, (ulong)track.BitDepth);
            }

            b.EndMaster(audio);
        }

        b.EndMaster(entry);
    }
}
