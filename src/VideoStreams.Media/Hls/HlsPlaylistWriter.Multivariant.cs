namespace VideoStreams.Media.Hls;

public static partial class HlsPlaylistWriter
{
    private static int Validate(HlsMultivariantPlaylist playlist)
    {
        var version = playlist.Version ?? 0;
        if (playlist.Version is < 1)
        {
            throw new ArgumentException("EXT-X-VERSION must be at least 1.");
        }

        var media = playlist.Media;
        for (var i = 0; i < media.Count; i++)
        {
            var rendition = media[i] ?? throw new ArgumentException($"Rendition {i} is null.");
            if (string.IsNullOrEmpty(rendition.GroupId) || string.IsNullOrEmpty(rendition.Name))
            {
                throw new ArgumentException("EXT-X-MEDIA needs GROUP-ID and NAME.");
            }

            CheckQuotedText(rendition.GroupId, "GROUP-ID");
            CheckQuotedText(rendition.Name, "NAME");
            CheckQuotedText(rendition.Language, "LANGUAGE");
            CheckQuotedText(rendition.Channels, "CHANNELS");
            if (rendition.Uri is not null)
            {
                CheckQuotedUri(rendition.Uri);
            }
            else if (rendition.Type == HlsRenditionType.Subtitles)
            {
                throw new ArgumentException($"SUBTITLES rendition {rendition.Name} needs a URI.");
            }

            if (rendition.Default && !rendition.AutoSelect)
            {
                throw new ArgumentException($"Rendition {rendition.Name}: DEFAULT=YES requires AUTOSELECT=YES.");
            }
        }

        var variants = playlist.Variants;
        for (var i = 0; i < variants.Count; i++)
        {
            var variant = variants[i] ?? throw new ArgumentException($"Variant {i} is null.");
            CheckUriLine(variant.Uri);
            if (variant.Bandwidth <= 0 || variant.AverageBandwidth <= 0)
            {
                throw new ArgumentException($"Variant {variant.Uri}: BANDWIDTH and AVERAGE-BANDWIDTH must be positive.");
            }

            if (variant.Width < 0 || variant.Height < 0 || (variant.Width == 0) != (variant.Height == 0))
            {
                throw new ArgumentException($"Variant {variant.Uri}: RESOLUTION needs both a positive width and height.");
            }

            if (variant.FrameRate is { } rate && (!double.IsFinite(rate) || rate <= 0 || rate > 1000))
            {
                throw new ArgumentException($"Variant {variant.Uri}: FRAME-RATE {rate} is not valid.");
            }

            CheckQuotedText(variant.Codecs, "CODECS");
            if (variant.Audio is { } group && !HasAudioGroup(media, group))
            {
                throw new ArgumentException($"Variant {variant.Uri}: AUDIO group '{group}' has no EXT-X-MEDIA TYPE=AUDIO.");
            }
        }

        return version;
    }

    private static bool HasAudioGroup(IReadOnlyList<HlsRendition> media, string group)
    {
        for (var i = 0; i < media.Count; i++)
        {
            if (media[i].Type == HlsRenditionType.Audio && media[i].GroupId == group)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteMultivariant(HlsTextWriter w, HlsMultivariantPlaylist playlist, int version)
    {
        w.WriteLine("#EXTM3U"u8);
        if (version > 0)
        {
            w.Write("#EXT-X-VERSION:"u8);
            w.Write(version);
            w.NewLine();
        }

        if (playlist.IndependentSegments)
        {
            w.WriteLine("#EXT-X-INDEPENDENT-SEGMENTS"u8);
        }

        var media = playlist.Media;
        for (var i = 0; i < media.Count; i++)
        {
            WriteRendition(w, media[i]);
        }

        var variants = playlist.Variants;
        for (var i = 0; i < variants.Count; i++)
        {
            WriteVariant(w, variants[i]);
        }
    }

    private static void WriteRendition(HlsTextWriter w, HlsRendition rendition)
    {
        w.Write("#EXT-X-MEDIA:TYPE="u8);
        w.Write(rendition.Type switch
        {
            HlsRenditionType.Audio => "AUDIO"u8,
            HlsRenditionType.Video => "VIDEO"u8,
            _ => "SUBTITLES"u8,
        });
        w.Write(",GROUP-ID="u8);
        w.WriteQuoted(rendition.GroupId);
        w.Write(",NAME="u8);
        w.WriteQuoted(rendition.Name);
        w.QuotedAttribute(",LANGUAGE="u8, rendition.Language);

        w.Write(rendition.Default ? ",DEFAULT=YES"u8 : ",DEFAULT=NO"u8);
        w.Write(rendition.AutoSelect ? ",AUTOSELECT=YES"u8 : ",AUTOSELECT=NO"u8);
        w.QuotedAttribute(",CHANNELS="u8, rendition.Channels);
        w.QuotedAttribute(",URI="u8, rendition.Uri);

        w.NewLine();
    }

    private static void WriteVariant(HlsTextWriter w, HlsVariantStream variant)
    {
        w.Write("#EXT-X-STREAM-INF:BANDWIDTH="u8);
        w.Write(variant.Bandwidth);
        w.Attribute(",AVERAGE-BANDWIDTH="u8, variant.AverageBandwidth);
        w.QuotedAttribute(",CODECS="u8, variant.Codecs);

        if (variant.Width > 0)
        {
            w.Write(",RESOLUTION="u8);
            w.Write(variant.Width);
            w.Write("x"u8);
            w.Write(variant.Height);
        }

        if (variant.FrameRate is { } rate)
        {
            w.Write(",FRAME-RATE="u8);
            w.WriteDecimal(rate);
        }

        w.QuotedAttribute(",AUDIO="u8, variant.Audio);

        w.NewLine();
        w.WriteText(variant.Uri);
        w.NewLine();
    }
}
