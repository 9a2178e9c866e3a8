using System.Buffers;

namespace VideoStreams.Media.Mp4;

/// <summary>
/// Writes fragmented MP4 (CMAF): an init segment (<c>ftyp</c> + <c>moov</c>) once per rendition, then per media
/// segment a <c>moof</c> + <c>mdat</c> header that the caller follows with the sample bytes.
/// </summary>
public static partial class CmafWriter
{
    private const int TrexSize = 32;

    /// <summary>
    /// Writes the init segment: <c>ftyp</c> and a <c>moov</c> with one <c>trak</c> per track (empty sample tables)
    /// and an <c>mvex</c> with one <c>trex</c> per track.
    /// </summary>
    /// <param name="output">Receives the bytes.</param>
    /// <param name="tracks">The tracks, in the order their <c>trak</c> boxes should appear.</param>
    /// <param name="descriptionIndices">
    /// Per track, which of its <see cref="Mp4Track.SampleDescriptions"/> to write; empty means the first of each.
    /// </param>
    /// <exception cref="MediaFormatException">A sample description cannot be written (bad avcC, size out of range…).</exception>
    public static void WriteInitSegment(IBufferWriter<byte> output, IReadOnlyList<Mp4Track> tracks, ReadOnlySpan<int> descriptionIndices = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(tracks);
        ValidateTracks(tracks);
        if (!descriptionIndices.IsEmpty && descriptionIndices.Length != tracks.Count)
        {
            throw new ArgumentException("One description index per track is needed.", nameof(descriptionIndices));
        }

        // An upper bound, so everything is written straight into the output with no intermediate buffer.
        var bound = 256;
        var hasVideo = false;
        uint nextTrackId = 1;
        for (var i = 0; i < tracks.Count; i++)
        {
            var description = DescriptionOf(tracks[i], descriptionIndices.IsEmpty ? 0 : descriptionIndices[i]);
            Mp4Boxes.Validate(description);
            bound += 512 + Mp4Boxes.SizeOfSampleEntry(description);
            hasVideo |= tracks[i].Kind == Mp4TrackKind.Video;
            nextTrackId = Math.Max(nextTrackId, tracks[i].TrackId + 1);
        }

        var w = new BoxWriter(output.GetSpan(bound));
        Mp4Boxes.WriteFtyp(ref w, "iso6"u8, 0, hasVideo ? "iso6cmfcmp41avc1"u8 : "iso6cmfcmp41"u8);
        var moov = w.StartBox("moov"u8);
        Mp4Boxes.WriteMvhd(ref w, Mp4Boxes.MovieTimescale, 0, nextTrackId);
        for (var i = 0; i < tracks.Count; i++)
        {
            WriteInitTrak(ref w, tracks[i], DescriptionOf(tracks[i], descriptionIndices.IsEmpty ? 0 : descriptionIndices[i]));
        }

        var mvex = w.StartBox("mvex"u8);
        foreach (var track in tracks)
        {
            var trex = w.StartFullBox("trex"u8, 0, 0);
            w.WriteUInt32(track.TrackId);
            w.WriteUInt32(1); // default_sample_description_index
            w.WriteZeros(12); // defaults for duration, size, flags: every tfhd/trun states its own
            w.EndBox(trex);
        }

        w.EndBox(mvex);
        w.EndBox(moov);
        output.Advance(w.Position);
    }

    private static void WriteInitTrak(ref BoxWriter w, Mp4Track track, Mp4SampleDescription description)
    {
        var (width, height) = description is AvcSampleDescription avc ? (avc.Width, avc.Height) : (0, 0);
        var trak = w.StartBox("trak"u8);
        Mp4Boxes.WriteTkhd(ref w, track, 0, width, height);
        if (track.CompositionDelay > 0)
        {
            // One edit starting at media time = the delay. Its duration is 0: a fragmented file's length is not known,
            // and readers (Chromium, ffmpeg) take only the media time from a single-entry list.
            var edts = w.StartBox("edts"u8);
            var wide = track.CompositionDelay > int.MaxValue;
            var elst = w.StartFullBox("elst"u8, wide ? (byte)1 : (byte)0, 0);
            w.WriteUInt32(1);
            w.WriteUInt32Or64(0, wide);
            w.WriteUInt32Or64((ulong)track.CompositionDelay, wide);
            w.WriteUInt16(1); // media_rate_integer
            w.WriteUInt16(0); // media_rate_fraction
            w.EndBox(elst);
            w.EndBox(edts);
        }

        var mdia = w.StartBox("mdia"u8);
        Mp4Boxes.WriteMdhd(ref w, track.Timescale, 0, track.Language);
        Mp4Boxes.WriteHdlr(ref w, track.Kind);
        var minf = w.StartBox("minf"u8);
        Mp4Boxes.WriteMediaHeaderAndDinf(ref w, track.Kind);
        var stbl = w.StartBox("stbl"u8);
        var stsd = w.StartFullBox("stsd"u8, 0, 0);
        w.WriteUInt32(1);
        Mp4Boxes.WriteSampleEntry(ref w, description);
        w.EndBox(stsd);
        Mp4Boxes.WriteEmptyTable(ref w, "stts"u8);
        Mp4Boxes.WriteEmptyTable(ref w, "stsc"u8);
        Mp4Boxes.WriteEmptyTable(ref w, "stsz"u8);
        Mp4Boxes.WriteEmptyTable(ref w, "stco"u8);
        w.EndBox(stbl);
        w.EndBox(minf);
        w.EndBox(mdia);
        w.EndBox(trak);
    }

    private static Mp4SampleDescription DescriptionOf(Mp4Track track, int index)
    {
        if ((uint)index >= (uint)track.SampleDescriptions.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Track {track.TrackId} has no sample description {index}.");
        }

        return track.SampleDescriptions[index];
    }

    /// <summary>Checks what both writers need of the track list: non-empty, unique non-zero ids, a timescale, a description.</summary>
    internal static void ValidateTracks(IReadOnlyList<Mp4Track> tracks)
    {
        if (tracks.Count == 0)
        {
            throw new ArgumentException("At least one track is needed.", nameof(tracks));
        }

        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i];
            if (track.TrackId == 0 || track.TrackId == uint.MaxValue || track.Timescale == 0 || track.SampleDescriptions.Count == 0)
            {
                throw new ArgumentException($"Track {i} needs an id in 1..2^32-2, a timescale and at least one sample description.", nameof(tracks));
            }

            for (var j = 0; j < i; j++)
            {
                if (tracks[j].TrackId == track.TrackId)
                {
                    throw new ArgumentException($"Track id {track.TrackId} is used twice.", nameof(tracks));
                }
            }
        }
    }
}
