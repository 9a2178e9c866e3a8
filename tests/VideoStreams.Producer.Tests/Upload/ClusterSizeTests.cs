using VideoStreams.Producer.Fragmenting;
using VideoStreams.Producer.Tests.Fragmenting;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Upload;

public sealed class ClusterSizeTests
{
    [Fact]
    public async Task The_clusters_unknown_size_is_found_after_the_tags_and_replaced_by_its_real_size()
    {
        var units = await H264TestStreams.EncodeAsync(frames: 61, gop: 30);
        using var fragmenter = new Fragmenter(new FragmenterOptions { FragmentDuration = TimeSpan.FromSeconds(1) });
        var fragments = new List<ProducerFragment>();
        for (var i = 0; i < units.Count; i++)
        {
            if (i == 31)
            {
                Assert.Equal(FragmentTagStatus.Added, fragmenter.AddTag("event", "door-open", persistent: false));
            }

            if (fragmenter.Add(units[i], H264TestStreams.TimestampOf(i), AccessUnitFormat.AnnexB) is { } f)
            {
                fragments.Add(f);
            }
        }

        Assert.Equal(2, fragments.Count);
        Assert.True(ClusterSize.TryFind(fragments[0].Body.Span, out var plainAt, out var plainSize));
        Assert.Equal(4, plainAt); // the body starts with the Cluster ID
        Assert.Equal(fragments[0].Body.Length - 12, plainSize);

        Assert.True(ClusterSize.TryFind(fragments[1].Body.Span, out var taggedAt, out var taggedSize));
        Assert.True(taggedAt > 4, "the Tags come first");
        Assert.Equal(fragments[1].Body.Length - taggedAt - 8, taggedSize);

        var sized = new byte[8];
        ClusterSize.Write(sized, taggedSize);
        Assert.Equal(0x01, sized[0]);
        Assert.Equal(taggedSize, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(sized) & 0x00FFFFFFFFFFFFFF);
    }

    [Fact]
    public void A_body_without_an_unknown_size_cluster_is_left_alone()
    {
        Assert.False(ClusterSize.TryFind([0x1F, 0x43, 0xB6, 0x75, 0x81, 0x00], out _, out _));
        Assert.False(ClusterSize.TryFind([0x00, 0x01], out _, out _));
        Assert.False(ClusterSize.TryFind([], out _, out _));
    }
}
