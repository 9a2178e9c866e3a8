using VideoStreams.Media.Remux;

namespace VideoStreams.Benchmarks;

/// <summary>A segment sink that only counts bytes, so the figures are the segmenter's own cost.</summary>
internal sealed class CountingSink : ICmafSegmentSink
{
    public long Bytes { get; private set; }

    public void OnInitSegment(in CmafInitSegment init) => Bytes += init.Bytes.Length;

    public void OnMediaSegment(in CmafMediaSegment segment) => Bytes += segment.Bytes.Length;
}
