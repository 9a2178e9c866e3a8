using System.Text;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Producer.Tests.Upload;

public sealed class AckParserTests
{
    private const string Acks =
        "{\"EventType\":\"BUFFERING\",\"FragmentTimecode\":1767225600000,\"FragmentNumber\":\"91343852333181432511524306419788296366724229586\"}\n"
        + "{\"EventType\":\"RECEIVED\",\"FragmentTimecode\":1767225600000,\"FragmentNumber\":\"91343852333181432511524306419788296366724229586\"}\n"
        + "{\"EventType\":\"PERSISTED\",\"FragmentTimecode\":1767225600000,\"FragmentNumber\":\"91343852333181432511524306419788296366724229586\"}\n"
        + "{\"EventType\":\"ERROR\",\"FragmentTimecode\":1767225602000,\"ErrorId\":4006,\"ErrorCode\":\"INVALID_MKV_DATA\"}\n"
        + "{\"EventType\":\"IDLE\"}\n";

    private static readonly PutMediaAck[] Expected =
    [
        new(PutMediaAckType.Buffering, 1767225600000, "91343852333181432511524306419788296366724229586", null, null),
        new(PutMediaAckType.Received, 1767225600000, "91343852333181432511524306419788296366724229586", null, null),
        new(PutMediaAckType.Persisted, 1767225600000, "91343852333181432511524306419788296366724229586", null, null),
        new(PutMediaAckType.Error, 1767225602000, null, 4006, "INVALID_MKV_DATA"),
        new(PutMediaAckType.Idle, null, null, null, null),
    ];

    [Fact]
    public void Acks_split_at_any_byte_are_read_whole_and_in_order()
    {
        var bytes = Encoding.UTF8.GetBytes(Acks);
        for (var split = 0; split <= bytes.Length; split++)
        {
            using var parser = new AckParser();
            var read = new List<PutMediaAck>();
            parser.Append(bytes.AsSpan(0, split));
            Drain(parser, read);
            parser.Append(bytes.AsSpan(split));
            Drain(parser, read);
            Assert.Equal(Expected, read);
        }
    }

    [Fact]
    public void Acks_arriving_one_byte_at_a_time_are_read_whole()
    {
        using var parser = new AckParser();
        var read = new List<PutMediaAck>();
        foreach (var b in Encoding.UTF8.GetBytes(Acks))
        {
            parser.Append([b]);
            Drain(parser, read);
        }

        Assert.Equal(Expected, read);
    }

    [Fact]
    public void Concatenated_acks_without_newlines_and_with_spaces_are_all_read()
    {
        using var parser = new AckParser();
        var read = new List<PutMediaAck>();
        parser.Append(Encoding.UTF8.GetBytes(Acks.Replace("\n", "", StringComparison.Ordinal).Replace("}{", "} \r\n {", StringComparison.Ordinal)));
        Drain(parser, read);
        Assert.Equal(Expected, read);
    }

    [Fact]
    public void Quoted_numbers_bare_numbers_and_a_wrapping_object_are_accepted()
    {
        using var parser = new AckParser();
        var read = new List<PutMediaAck>();
        parser.Append("{\"EventType\":\"PERSISTED\",\"FragmentTimecode\":\"1767225600000\",\"FragmentNumber\":91343852333181432}"u8);
        parser.Append("{\"Acknowledgement\":{\"EventType\":\"ERROR\",\"FragmentTimecode\":5,\"ErrorId\":\"4004\"}}"u8);
        parser.Append("{\"EventType\":\"SOMETHING_NEW\",\"Note\":\"a } and a { in a string\"}"u8);
        Drain(parser, read);

        Assert.Equal(
            [
                new PutMediaAck(PutMediaAckType.Persisted, 1767225600000, "91343852333181432", null, null),
                new PutMediaAck(PutMediaAckType.Error, 5, null, 4004, null),
                new PutMediaAck(PutMediaAckType.Unknown, null, null, null, null),
            ],
            read);
    }

    [Fact]
    public void A_response_that_is_not_ack_objects_is_refused()
    {
        using var parser = new AckParser();
        parser.Append("<html>Bad gateway</html>"u8);
        Assert.Throws<AckFormatException>(() => parser.TryRead(out _));
    }

    [Fact]
    public void An_ack_that_never_ends_is_refused_instead_of_growing_forever()
    {
        using var parser = new AckParser();
        parser.Append("{\"EventType\":\""u8);
        parser.Append(Encoding.ASCII.GetBytes(new string('x', AckParser.MaxAckBytes + 10)));
        Assert.Throws<AckFormatException>(() => parser.TryRead(out _));
    }

    private static void Drain(AckParser parser, List<PutMediaAck> into)
    {
        while (parser.TryRead(out var ack))
        {
            into.Add(ack);
        }
    }
}
