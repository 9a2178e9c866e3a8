using System.Text.RegularExpressions;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Streams;

public sealed partial class StreamCatalogListAndTagTests
{
    [Fact]
    public void Listing_pages_by_prefix_never_skip_or_repeat()
    {
        using var f = new CatalogFixture();
        var rng = new Random(5);
        const string Alphabet = "ab.-_9";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        while (names.Count < 150)
        {
            names.Add(new string(Enumerable.Range(0, rng.Next(1, 5)).Select(_ => Alphabet[rng.Next(Alphabet.Length)]).ToArray()));
        }

        foreach (var name in names.OrderBy(_ => rng.Next()))
        {
            f.Create(name);
        }

        foreach (var prefix in new string?[] { null, "a", "a.", "-", "9", "b_b", "zz" })
        {
            foreach (var max in new[] { 1, 7, 50, 10_000 })
            {
                var read = new List<string>();
                string? token = null;
                var pages = 0;
                do
                {
                    var page = f.Catalog.List(max, token, prefix);
                    Assert.True(page.IsSuccess, page.Message);
                    Assert.True(page.Value!.Streams.Count <= max);
                    read.AddRange(page.Value.Streams.Select(s => s.Name));
                    token = page.Value.NextToken;
                    if (token is not null)
                    {
                        Assert.Matches(TokenShape(), token);
                        Assert.True(token.Length <= 1024);
                        Assert.Equal(max, page.Value.Streams.Count);
                    }

                    Assert.True(++pages < 500);
                }
                while (token is not null);

                Assert.Equal(names.Where(n => prefix is null || n.StartsWith(prefix, StringComparison.Ordinal)), read);
            }
        }
    }

    [Fact]
    public void Listing_resumes_correctly_when_streams_come_and_go_between_pages()
    {
        using var f = new CatalogFixture();
        var streams = Enumerable.Range(0, 10).Select(i => f.Create($"s{i}")).ToList();
        var first = f.Catalog.List(4).Value!;
        Assert.Equal(["s0", "s1", "s2", "s3"], first.Streams.Select(s => s.Name));
        Assert.True(f.Catalog.Delete(streams[3].Arn).IsSuccess); // the token's own stream
        Assert.True(f.Catalog.Delete(streams[5].Arn).IsSuccess);
        f.Create("s0a"); // before the token: not seen
        f.Create("s4a"); // after it: seen
        var second = f.Catalog.List(4, first.NextToken).Value!;
        Assert.Equal(["s4", "s4a", "s6", "s7"], second.Streams.Select(s => s.Name));
    }

    [Fact]
    public void The_longest_name_makes_a_token_within_1024_characters()
    {
        using var f = new CatalogFixture();
        f.Create(new string('a', 256));
        f.Create(new string('b', 256));
        var page = f.Catalog.List(1).Value!;
        Assert.NotNull(page.NextToken);
        Assert.True(page.NextToken.Length <= 1024);
        Assert.Equal(new string('b', 256), f.Catalog.List(1, page.NextToken).Value!.Streams.Single().Name);
    }

    [Theory]
    [InlineData(0, null, null)]
    [InlineData(10_001, null, null)]
    [InlineData(-1, null, null)]
    [InlineData(10, "not base64!", null)]
    [InlineData(10, "c29tZXRoaW5nIGVsc2U=", null)] // valid base64 of something we never issued
    [InlineData(10, null, "a b")]
    [InlineData(10, null, "")]
    public void Bad_list_arguments_are_invalid(int max, string? token, string? prefix)
    {
        using var f = new CatalogFixture();
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.List(max, token, prefix).Error);
    }

    [Fact]
    public void Tags_overwrite_merge_and_stop_at_50_without_changing_the_version()
    {
        using var f = new CatalogFixture();
        var s = f.Create("cam", tags: Enumerable.Range(0, 40).ToDictionary(i => $"k{i}", i => "old"));
        var tagged = f.Catalog.TagStream(StreamRef.ByArn(s.Arn), Enumerable.Range(30, 20).ToDictionary(i => $"k{i}", i => "new"));
        Assert.True(tagged.IsSuccess, tagged.Message);
        Assert.Equal(s.Version, tagged.Value!.Version);
        var tags = f.Catalog.ListTags(StreamRef.ByName("cam")).Value!;
        Assert.Equal(50, tags.Count);
        Assert.Equal("old", tags["k29"]);
        Assert.Equal("new", tags["k30"]);

        var over = f.Catalog.TagStream(StreamRef.ByName("cam"), new Dictionary<string, string> { ["k50"] = "x" });
        Assert.Equal(StorageError.TagsPerResourceExceededLimit, over.Error);
        Assert.Equal(50, f.Catalog.ListTags(StreamRef.ByName("cam")).Value!.Count);
        Assert.Equal(StorageError.None, f.Catalog.TagStream(StreamRef.ByName("cam"), new Dictionary<string, string> { ["k0"] = "again" }).Error);

        Assert.Equal(StorageError.InvalidArgument, f.Catalog.TagStream(StreamRef.ByName("cam"), new Dictionary<string, string>()).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.TagStream(StreamRef.ByName("cam"), null).Error);
        Assert.Equal(StorageError.TagsPerResourceExceededLimit,
            f.Catalog.TagStream(StreamRef.ByName("cam"), Enumerable.Range(0, 51).ToDictionary(i => $"n{i}", i => "")).Error);
        Assert.Equal(StorageError.ResourceNotFound,
            f.Catalog.TagStream(StreamRef.ByName("nope"), new Dictionary<string, string> { ["k"] = "v" }).Error);
    }

    [Fact]
    public void Untagging_ignores_unknown_keys_and_checks_the_key_list()
    {
        using var f = new CatalogFixture();
        f.Create("cam", tags: new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" });
        Assert.True(f.Catalog.UntagStream(StreamRef.ByName("cam"), ["a", "zzz"]).IsSuccess);
        Assert.Equal(["b"], f.Catalog.ListTags(StreamRef.ByName("cam")).Value!.Keys);
        Assert.True(f.Catalog.UntagStream(StreamRef.ByName("cam"), ["zzz"]).IsSuccess);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.UntagStream(StreamRef.ByName("cam"), []).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.UntagStream(StreamRef.ByName("cam"), null).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.UntagStream(StreamRef.ByName("cam"), Enumerable.Range(0, 51).Select(i => $"k{i}").ToList()).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.UntagStream(StreamRef.ByName("cam"), ["bad#key"]).Error);
        Assert.True(f.Catalog.UntagStream(StreamRef.ByName("cam"), Enumerable.Range(0, 50).Select(i => $"k{i}").Append("b").Skip(1).ToList()).IsSuccess);
        Assert.Empty(f.Catalog.ListTags(StreamRef.ByName("cam")).Value!);
    }

    [GeneratedRegex(@"\A[a-zA-Z0-9+/=]*\z")]
    private static partial Regex TokenShape();
}
