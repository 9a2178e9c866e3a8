using System.Buffers;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Producer.Tests.Fragmenting;

internal sealed record InspectedFrame(ulong Track, long Timestamp, bool IsKeyframe, byte[] Data);

internal sealed record InspectedCluster(long Timestamp, IReadOnlyList<InspectedFrame> Frames, IReadOnlyList<MatroskaTag> TagsBefore);

/// <summary>What our own reader sees in a produced stream: clusters, their frames, the tags before each.</summary>
internal sealed class MkvInspection
{
    public List<InspectedCluster> Clusters { get; } = [];

    public List<IReadOnlyList<MatroskaTrack>> Headers { get; } = [];

    public static MkvInspection Read(byte[] mkv)
    {
        var result = new MkvInspection();
        IReadOnlyList<MatroskaTag> tags = [];
        List<InspectedFrame>? frames = null;
        long clusterTimestamp = 0;
        new MatroskaReader().ReadAll(mkv, (MatroskaReader reader, in MatroskaEvent ev) =>
        {
            switch (ev.Kind)
            {
                case MatroskaEventKind.Tracks:
                    result.Headers.Add(reader.Tracks);
                    break;
                case MatroskaEventKind.Tags:
                    tags = reader.LastTags;
                    break;
                case MatroskaEventKind.ClusterStart:
                    frames = [];
                    clusterTimestamp = reader.ClusterTimestamp;
                    break;
                case MatroskaEventKind.Frame:
                    var f = ev.Frame;
                    frames!.Add(new InspectedFrame(f.TrackNumber, f.Timestamp, f.IsKeyframe, f.Data.ToArray()));
                    break;
                case MatroskaEventKind.ClusterEnd:
                    result.Clusters.Add(new InspectedCluster(clusterTimestamp, frames!, tags));
                    tags = [];
                    break;
            }
        });
        return result;
    }
}
