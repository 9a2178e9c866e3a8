namespace VideoStreams.Media;

/// <summary>Why a piece of media was refused. Stable values: they are logged and mapped to API errors.</summary>
public enum MediaFormatError
{
    /// <summary>The input ended inside an element, NAL unit or structure.</summary>
    Truncated = 1,
    /// <summary>An EBML variable-length integer (element id or size) is malformed.</summary>
    InvalidVarInt,
    /// <summary>An element claims more bytes than the configured limit allows.</summary>
    ElementTooLarge,
    /// <summary>An element claims more bytes than its parent has left.</summary>
    ElementOutsideParent,
    /// <summary>Elements are nested deeper than any valid file nests them.</summary>
    NestingTooDeep,
    /// <summary>An element other than Segment or Cluster has an unknown size.</summary>
    UnknownSizeNotAllowed,
    /// <summary>The EBML header is missing or malformed.</summary>
    InvalidEbmlHeader,
    /// <summary>The document type is not matroska or webm, or needs a newer reader.</summary>
    UnsupportedDocType,
    /// <summary>A required element is missing, or appears where it cannot.</summary>
    MissingElement,
    /// <summary>An element's value has the wrong width or an impossible value.</summary>
    InvalidValue,
    /// <summary>A block names a track number that Tracks never declared.</summary>
    UndeclaredTrack,
    /// <summary>A SimpleBlock or Block is malformed.</summary>
    InvalidBlock,
    /// <summary>The lace sizes of a block do not add up.</summary>
    InvalidLacing,
    /// <summary>A NAL unit or its length prefix is malformed.</summary>
    InvalidNalUnit,
    /// <summary>A sequence parameter set cannot be parsed or describes an impossible picture.</summary>
    InvalidSps,
    /// <summary>A picture parameter set cannot be parsed.</summary>
    InvalidPps,
    /// <summary>An AVCDecoderConfigurationRecord (avcC) is malformed.</summary>
    InvalidAvcConfig,
    /// <summary>An AAC AudioSpecificConfig is malformed or unsupported.</summary>
    InvalidAudioConfig,
    /// <summary>The codec is not one this operation can handle.</summary>
    UnsupportedCodec,
    /// <summary>A timestamp is outside the representable range or goes backwards where it must not.</summary>
    InvalidTimestamp,
    /// <summary>An ISO BMFF (MP4) box is malformed.</summary>
    InvalidBox,
}

/// <summary>
/// The one exception media parsing throws for malformed input. Carries a machine-readable
/// <see cref="Error"/> and, where known, the byte offset in the input where the problem was found.
/// </summary>
public sealed class MediaFormatException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    public MediaFormatException(MediaFormatError error, string message, long offset = -1)
        : base(offset >= 0 ? $"{message} (at byte {offset})" : message)
    {
        Error = error;
        Offset = offset;
    }

    /// <summary>Creates an exception for <paramref name="error"/>.</summary>
    public MediaFormatException(MediaFormatError error, string message, Exception inner)
        : base(message, inner)
    {
        Error = error;
        Offset = -1;
    }

    /// <summary>Why the input was refused.</summary>
    public MediaFormatError Error { get; }

    /// <summary>Offset of the problem in the input, or -1 when not known.</summary>
    public long Offset { get; }
}
