using VideoStreams.Media.Remux;

namespace VideoStreams.Media.Tests.Remux;

/// <summary>Keeps copies of everything a segmenter delivers.</summary>
internal sealed class CollectingSink : ICmafSegmentSink
{
    public List<(CmafInitSegment Info, byte[] Bytes)> Inits { get; } = [];

    public List<(CmafMediaSegment Info, byte[] Bytes)> Segments { get; } = [];

    public void OnInitSegment(in CmafInitSegment init) => Inits.Add((init, init.Bytes.ToArray()));

    public void OnMediaSegment(in CmafMediaSegment segment) => Segments.Add((segment, segment.Bytes.ToArray()));
}
