using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Streams;

/// <summary>Every shape rule of KVS-API.md §1.5, valid edge cases included, one row per case.</summary>
public sealed class StreamCatalogValidationTests
{
    private static readonly string Letter128 = string.Concat(Enumerable.Repeat("\U0001D49C", 128)); // 128 code points, 256 UTF-16 units

    public static TheoryData<string?, bool> Names => new()
    {
        { "a", true },
        { ".", true },
        { "..", true },
        { "..-x", true },
        { "A-Z_a.z-0_9", true },
        { new string('n', 256), true },
        { new string('n', 257), false },
        { "", false },
        { null, false },
        { "a b", false },
        { "a/b", false },
        { "../x", false },
        { "café", false },
        { "a\n", false },
        { "a:b", false },
    };

    public static TheoryData<string, bool> DeviceNames => new()
    {
        { "cam-1", true },
        { new string('d', 128), true },
        { new string('d', 129), false },
        { "", false },
        { "cam 1", false },
    };

    public static TheoryData<string, bool> MediaTypes => new()
    {
        { "video/h264", true },
        { "video/h264,audio/aac", true },
        { "video/x-matroska", true },
        { "audio/mp4a-latm+x.y_z", true },
        { "video/" + new string('x', 122), true },
        { "video/" + new string('x', 123), false },
        { "video", false },
        { "video/", false },
        { "/h264", false },
        { "video/h264,", false },
        { "video/h264;codecs=x", false },
        { "video/h264, audio/aac", false },
        { "vidéo/h264", false },
        { "", false },
    };

    public static TheoryData<string, bool> KmsKeyIds => new()
    {
        { "k", true },
        { "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", true },
        { "alias/with spaces and ünïcode", true },
        { new string('k', 2048), true },
        { new string('k', 2049), false },
        { "", false },
        { "a\nb", false },
        { "a\rb", false },
    };

    public static TheoryData<int?, bool> Retentions => new()
    {
        { null, true },
        { 0, true },
        { 1, true },
        { 87_600, true },
        { 87_601, false },
        { -1, false },
        { int.MaxValue, false },
    };

    public static TheoryData<string, string, bool> Tags => new()
    {
        { "k", "", true },
        { new string('k', 128), new string('v', 256), true },
        { Letter128, "v", true },
        { "é 1_.:/=+-@", "Ünïcode välue 42 _.:/=+-@", true },
        { "日本語", "値", true },
        { "k\u2028", "v", true },
        { new string('k', 129), "v", false },
        { Letter128 + "x", "v", false },
        { "", "v", false },
        { "k#", "v", false },
        { "k", new string('v', 257), false },
        { "k", "v!", false },
        { "k", "tab\t", false },
    };

    public static TheoryData<string?, bool> Arns => new()
    {
        { "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/1700000000000", true },
        { "arn:aws-cn:kinesisvideo:cn-north-1:1:stream/..-x/1", true },
        { "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam/", false },
        { "arn:aws:kinesisvideo:us-east-1:123456789012:stream/cam", false },
        { "arn:aws:kinesisvideo:US-EAST-1:123456789012:stream/cam/1", false },
        { "arn:aws:s3:::bucket", false },
        { "arn:aws:kinesisvideo:us-east-1:12a:stream/cam/1", false },
        { "arn:aws:kinesisvideo:us-east-1:1:stream/c m/1", false },
        { "arn:aws:kinesisvideo:us-east-1:1:stream/cam/1\n", false },
        { "cam", false },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Stream_names(string? name, bool valid)
    {
        using var f = new CatalogFixture();
        var result = f.Catalog.CreateStream(name!);
        AssertValidity(result, valid);
        if (valid)
        {
            Assert.Equal(name, f.Catalog.Describe(StreamRef.ByName(name!)).Value?.Name);
        }
    }

    [Theory]
    [MemberData(nameof(DeviceNames))]
    public void Device_names(string deviceName, bool valid)
    {
        using var f = new CatalogFixture();
        AssertValidity(f.Catalog.CreateStream("s", deviceName: deviceName), valid);
        var s = f.Create("t");
        AssertValidity(f.Catalog.UpdateStream(StreamRef.ByName("t"), s.Version, deviceName: deviceName), valid);
    }

    [Theory]
    [MemberData(nameof(MediaTypes))]
    public void Media_types(string mediaType, bool valid)
    {
        using var f = new CatalogFixture();
        AssertValidity(f.Catalog.CreateStream("s", mediaType: mediaType), valid);
        var s = f.Create("t");
        AssertValidity(f.Catalog.UpdateStream(StreamRef.ByName("t"), s.Version, mediaType: mediaType), valid);
    }

    [Theory]
    [MemberData(nameof(KmsKeyIds))]
    public void Kms_key_ids(string kmsKeyId, bool valid)
    {
        using var f = new CatalogFixture();
        AssertValidity(f.Catalog.CreateStream("s", kmsKeyId: kmsKeyId), valid);
    }

    [Theory]
    [MemberData(nameof(Retentions))]
    public void Retention_at_creation(int? hours, bool valid)
    {
        using var f = new CatalogFixture();
        var result = f.Catalog.CreateStream("s", dataRetentionInHours: hours);
        AssertValidity(result, valid);
        if (valid)
        {
            Assert.Equal(hours ?? 0, result.Value!.DataRetentionInHours);
        }
    }

    [Theory]
    [MemberData(nameof(Tags))]
    public void Tag_keys_and_values(string key, string value, bool valid)
    {
        using var f = new CatalogFixture();
        var tags = new Dictionary<string, string> { [key] = value };
        AssertValidity(f.Catalog.CreateStream("s", tags: tags), valid);
        f.Create("t");
        AssertValidity(f.Catalog.TagStream(StreamRef.ByName("t"), tags), valid);
        if (valid)
        {
            Assert.Equal(value, f.Catalog.ListTags(StreamRef.ByName("t")).Value![key]);
        }
    }

    [Theory]
    [MemberData(nameof(Arns))]
    public void Arn_shapes(string? arn, bool valid)
    {
        using var f = new CatalogFixture();

        // A well-formed ARN of no stream is not found; a malformed one is a bad argument, or a bad resource format
        // on the tag operations, as KVS reports them.
        var expected = valid ? StorageError.ResourceNotFound : StorageError.InvalidArgument;
        Assert.Equal(expected, f.Catalog.Describe(StreamRef.ByArn(arn!)).Error);
        Assert.Equal(expected, f.Catalog.Delete(arn).Error);
        Assert.Equal(expected, f.Catalog.UpdateStream(StreamRef.ByArn(arn!), "v1").Error);
        var tagError = valid ? StorageError.ResourceNotFound : StorageError.InvalidResourceFormat;
        Assert.Equal(tagError, f.Catalog.TagStream(StreamRef.ByArn(arn!), new Dictionary<string, string> { ["k"] = "v" }).Error);
        Assert.Equal(tagError, f.Catalog.UntagStream(StreamRef.ByArn(arn!), ["k"]).Error);
        Assert.Equal(tagError, f.Catalog.ListTags(StreamRef.ByArn(arn!)).Error);
    }

    [Theory]
    [InlineData("abcXYZ019", true)]
    [InlineData("", false)]
    [InlineData("abc-1", false)]
    [InlineData("v\n", false)]
    public void Current_versions(string version, bool valid)
    {
        using var f = new CatalogFixture();
        f.Create("s");

        // A well-formed version that is not the stream's is a mismatch, not a bad argument.
        var expected = valid ? StorageError.VersionMismatch : StorageError.InvalidArgument;
        Assert.Equal(expected, f.Catalog.UpdateStream(StreamRef.ByName("s"), version).Error);
        Assert.Equal(expected, f.Catalog.UpdateDataRetention(StreamRef.ByName("s"), version, DataRetentionOperation.IncreaseDataRetention, 1).Error);
    }

    [Fact]
    public void A_version_of_64_characters_is_well_formed_and_65_is_not()
    {
        using var f = new CatalogFixture();
        f.Create("s");
        Assert.Equal(StorageError.VersionMismatch, f.Catalog.UpdateStream(StreamRef.ByName("s"), new string('v', 64)).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.UpdateStream(StreamRef.ByName("s"), new string('v', 65)).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.UpdateStream(StreamRef.ByName("s"), null).Error);
    }

    [Theory]
    [InlineData(50, StorageError.None)]
    [InlineData(51, StorageError.TagsPerResourceExceededLimit)]
    public void At_most_50_tags_at_creation(int count, StorageError expected)
    {
        using var f = new CatalogFixture();
        var tags = Enumerable.Range(0, count).ToDictionary(i => $"k{i}", i => $"v{i}");
        Assert.Equal(expected, f.Catalog.CreateStream("s", tags: tags).Error);
    }

    [Fact]
    public void Stream_identity_needs_a_name_or_an_arn_that_agree()
    {
        using var f = new CatalogFixture();
        var a = f.Create("a");
        f.Create("b");
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.Describe(default).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.Describe(new StreamRef("", "")).Error);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.Describe(new StreamRef("b", a.Arn)).Error);
        Assert.Equal(a.Id, f.Catalog.Describe(new StreamRef("a", a.Arn)).Value!.Id);
        Assert.Equal(StorageError.InvalidArgument, f.Catalog.Describe(StreamRef.ByName("a b")).Error);
        var missing = f.Catalog.Describe(StreamRef.ByName("c"));
        Assert.Equal(StorageError.ResourceNotFound, missing.Error);
        Assert.Equal("The requested stream is not found or not active.", missing.Message);
    }

    private static void AssertValidity<T>(StorageResult<T> result, bool valid)
    {
        if (valid)
        {
            Assert.True(result.IsSuccess, result.Message);
        }
        else
        {
            Assert.Equal(StorageError.InvalidArgument, result.Error);
            Assert.False(string.IsNullOrWhiteSpace(result.Message));
        }
    }
}
