namespace VideoStreams.Media.Ebml;

/// <summary>An element's id and size as read from the wire.</summary>
/// <param name="Id">Element id including its length marker bits (e.g. 0x1A45DFA3).</param>
/// <param name="Size">Payload size in bytes, or <see cref="UnknownSize"/>.</param>
/// <param name="HeaderLength">Bytes taken by the id and size fields.</param>
internal readonly record struct EbmlElementHeader(uint Id, long Size, int HeaderLength)
{
    /// <summary>Marker for an element whose size field is all ones (live streams leave Segments and Clusters open).</summary>
    public const long UnknownSize = -1;

    public bool IsUnknownSize => Size == UnknownSize;
}
