using System.Text.RegularExpressions;
using VideoStreams.Storage.Fragments;
using VideoStreams.Storage.Streams;

namespace VideoStreams.Storage.Tests.Streams;

public sealed partial class StreamCatalogTests
{
    [Fact]
    public void A_created_stream_is_active_and_shaped_as_kvs_shapes_it()
    {
        using var f = new CatalogFixture();
        var created = f.Catalog.CreateStream("..-x", "cam-1", "video/h264,audio/aac", dataRetentionInHours: 24,
            tags: new Dictionary<string, string> { ["site"] = "north" });
        Assert.True(created.IsSuccess, created.Message);
        var s = created.Value!;
        var ms = CatalogFixture.Start.ToUnixTimeMilliseconds();
        Assert.Equal($"arn:aws:kinesisvideo:us-east-1:123456789012:stream/..-x/{ms}", s.Arn);
        Assert.Equal(13, ms.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        Assert.Equal(CatalogFixture.Start, s.CreationTime);
        Assert.Equal(StreamStatus.Active, s.Status);
        Assert.Equal("aws/kinesisvideo", s.KmsKeyId);
        Assert.Matches(VersionShape(), s.Version);
        Assert.Equal(1, s.Id);

        var byName = f.Catalog.Describe(StreamRef.ByName("..-x")).Value!;
        var byArn = f.Catalog.Describe(StreamRef.ByArn(s.Arn)).Value!;
        foreach (var read in new[] { byName, byArn })
        {
            Assert.Equal(s with { Tags = read.Tags }, read);
            Assert.Equal("north", read.Tags["site"]);
        }

        Assert.Equal(0, f.Catalog.CreateStream("zero").Value!.DataRetentionInHours);
    }

    [Fact]
    public void Region_and_account_come_from_options()
    {
        using var f = new CatalogFixture();
        var catalog = new StreamCatalog(f.Index, f.Journal, f.Time, new StreamCatalogOptions { Region = "eu-west-1", AccountId = "42" });
        Assert.StartsWith("arn:aws:kinesisvideo:eu-west-1:42:stream/s/", catalog.CreateStream("s").Value!.Arn, StringComparison.Ordinal);
    }

    [Fact]
    public void A_taken_name_is_resource_in_use()
    {
        using var f = new CatalogFixture();
        f.Create("cam");
        var again = f.Catalog.CreateStream("cam");
        Assert.Equal(StorageError.ResourceInUse, again.Error);
        Assert.Contains("cam", again.Message, StringComparison.Ordinal);
        Assert.Equal(StorageError.None, f.Catalog.CreateStream("Cam").Error); // names are case-sensitive
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_have_exactly_one_winner()
    {
        using var f = new CatalogFixture();
        for (var round = 0; round < 5; round++)
        {
            using var go = new ManualResetEventSlim();
            var name = $"race-{round}";
            var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                go.Wait();
                return f.Catalog.CreateStream(name);
            })).ToArray();
            go.Set();
            var results = await Task.WhenAll(attempts);
            Assert.Single(results, r => r.IsSuccess);
            Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(StorageError.ResourceInUse, r.Error));
        }

        Assert.Equal(5, f.Journal.Entries.Count);
        Assert.Equal(5, f.Catalog.List().Value!.Streams.Count);
    }

    [Fact]
    public void Updates_check_the_version_and_change_it()
    {
        using var f = new CatalogFixture();
        var s = f.Create("cam");
        var stale = f.Catalog.UpdateStream(StreamRef.ByName("cam"), "nope", deviceName: "d");
        Assert.Equal(StorageError.VersionMismatch, stale.Error);

        var updated = f.Catalog.UpdateStream(StreamRef.ByArn(s.Arn), s.Version, deviceName: "dev", mediaType: "video/h265");
        Assert.True(updated.IsSuccess, updated.Message);
        Assert.NotEqual(s.Version, updated.Value!.Version);
        Assert.Matches(VersionShape(), updated.Value.Version);

        // Fields not given stay as they are.
        var again = f.Catalog.UpdateStream(StreamRef.ByName("cam"), updated.Value.Version, mediaType: "video/h264").Value!;
        Assert.Equal("dev", again.DeviceName);
        Assert.Equal("video/h264", again.MediaType);
        Assert.Equal(again, f.Catalog.Describe(StreamRef.ByName("cam")).Value! with { Tags = again.Tags });

        // The version used for the first update is stale now.
        Assert.Equal(StorageError.VersionMismatch, f.Catalog.UpdateStream(StreamRef.ByName("cam"), s.Version).Error);
        Assert.Equal(StorageError.ResourceNotFound, f.Catalog.UpdateStream(StreamRef.ByName("other"), s.Version).Error);
    }

    [Fact]
    public void Retention_moves_within_0_to_87600_hours()
    {
        using var f = new CatalogFixture();
        var s = f.Create("cam", retention: 2);
        var v = s.Version;
        StorageResult<StreamRecord> Change(DataRetentionOperation op, int hours)
        {
            var r = f.Catalog.UpdateDataRetention(StreamRef.ByName("cam"), v, op, hours);
            v = r.Value?.Version ?? v;
            return r;
        }

        Assert.Equal(12, Change(DataRetentionOperation.IncreaseDataRetention, 10).Value!.DataRetentionInHours);
        Assert.Equal(0, Change(DataRetentionOperation.DecreaseDataRetention, 12).Value!.DataRetentionInHours);
        Assert.Equal(StorageError.InvalidArgument, Change(DataRetentionOperation.DecreaseDataRetention, 1).Error);
        Assert.Equal(87_600, Change(DataRetentionOperation.IncreaseDataRetention, 87_600).Value!.DataRetentionInHours);
        Assert.Equal(StorageError.InvalidArgument, Change(DataRetentionOperation.IncreaseDataRetention, 1).Error);
        Assert.Equal(StorageError.InvalidArgument, Change(DataRetentionOperation.IncreaseDataRetention, int.MaxValue).Error);
        Assert.Equal(StorageError.InvalidArgument, Change(DataRetentionOperation.DecreaseDataRetention, 0).Error);
        Assert.Equal(StorageError.InvalidArgument, Change(DataRetentionOperation.DecreaseDataRetention, -5).Error);
        Assert.Equal(StorageError.InvalidArgument, Change((DataRetentionOperation)7, 1).Error);
        Assert.Equal(StorageError.VersionMismatch,
            f.Catalog.UpdateDataRetention(StreamRef.ByName("cam"), s.Version, DataRetentionOperation.IncreaseDataRetention, 1).Error);
        Assert.Equal(87_600, f.Catalog.Describe(StreamRef.ByName("cam")).Value!.DataRetentionInHours);
    }

    [Fact]
    public void A_deleted_stream_is_gone_with_its_rows_and_its_name_is_free_again()
    {
        using var f = new CatalogFixture();
        var s = f.Create("cam", retention: 1);
        f.Index.Commit(
            [new FragmentEntry(1, s.Id, 0, 0, 1_000, 10, 1, 0, 10, FragmentFlags.None)],
            [new ChunkEntry(1, "c1", 10, 0, false)]);

        Assert.Equal(StorageError.InvalidArgument, f.Catalog.Delete(null).Error);
        Assert.Equal(StorageError.VersionMismatch, f.Catalog.Delete(s.Arn, "other").Error);
        var deleted = f.Catalog.Delete(s.Arn, s.Version);
        Assert.True(deleted.IsSuccess, deleted.Message);
        Assert.Equal(StreamStatus.Deleting, deleted.Value!.Status);

        Assert.Equal(StorageError.ResourceNotFound, f.Catalog.Describe(StreamRef.ByName("cam")).Error);
        Assert.Equal(StorageError.ResourceNotFound, f.Catalog.Describe(StreamRef.ByArn(s.Arn)).Error);
        Assert.Equal(StorageError.ResourceNotFound, f.Catalog.Delete(s.Arn).Error);
        Assert.Equal(0, f.Index.CountFragments(s.Id));
        Assert.Empty(f.Catalog.List().Value!.Streams);

        // Same name, same clock millisecond: a new id and a new ARN, so the old ARN never names the new stream.
        var again = f.Create("cam");
        Assert.NotEqual(s.Id, again.Id);
        Assert.NotEqual(s.Arn, again.Arn);
        Assert.Equal(StorageError.ResourceNotFound, f.Catalog.Describe(StreamRef.ByArn(s.Arn)).Error);
        Assert.True(f.Catalog.Delete(again.Arn).IsSuccess); // without a version, the ARN is the check
    }

    [Fact]
    public void Stream_ids_are_never_reused_even_across_a_restart()
    {
        using var f = new CatalogFixture();
        f.Create("a");
        var b = f.Create("b");
        Assert.True(f.Catalog.Delete(b.Arn).IsSuccess);
        f.Reopen();
        Assert.Equal(3, f.Create("c").Id);
        Assert.Equal(4, f.Create("b").Id);
    }

    [Fact]
    public void The_journal_sees_every_change_in_order_before_the_index()
    {
        using var f = new CatalogFixture();
        var a = f.Create("a", retention: 1);
        var b = f.Create("b");
        var a2 = f.Catalog.UpdateStream(StreamRef.ByName("a"), a.Version, deviceName: "d").Value!;
        var a3 = f.Catalog.UpdateDataRetention(StreamRef.ByName("a"), a2.Version, DataRetentionOperation.IncreaseDataRetention, 5).Value!;
        var a4 = f.Catalog.TagStream(StreamRef.ByName("a"), new Dictionary<string, string> { ["k"] = "v" }).Value!;
        var a5 = f.Catalog.UntagStream(StreamRef.ByName("a"), ["k", "unknown"]).Value!;
        Assert.Equal(a5, f.Catalog.UntagStream(StreamRef.ByName("a"), ["unknown"]).Value! with { Tags = a5.Tags }); // no change, no write
        var bGone = f.Catalog.Delete(b.Arn).Value!;

        var expected = new (string, long, string)[]
        {
            ("write", a.Id, a.Version), ("write", b.Id, b.Version), ("write", a.Id, a2.Version), ("write", a.Id, a3.Version),
            ("write", a.Id, a4.Version), ("write", a.Id, a5.Version), ("write", b.Id, bGone.Version), ("deleted", b.Id, ""),
        };
        Assert.Equal(expected, f.Journal.Entries.Select(e => (e.Kind, e.Id, e.Stream?.Version ?? "")).ToArray());
        Assert.Equal(StreamStatus.Deleting, f.Journal.Entries[6].Stream!.Status);

        // Replaying the journal alone rebuilds what the index holds.
        var replayed = new Dictionary<long, StreamRecord>();
        foreach (var (kind, stream, id) in f.Journal.Entries)
        {
            if (kind == "write")
            {
                replayed[id] = stream!;
            }
            else
            {
                replayed.Remove(id);
            }
        }

        var live = f.Catalog.List().Value!.Streams;
        Assert.Equal(replayed.Values.Select(s => (s.Name, s.Version, s.DataRetentionInHours)), live.Select(s => (s.Name, s.Version, s.DataRetentionInHours)));
    }

    [Fact]
    public void A_failing_journal_reports_an_io_error_and_changes_nothing()
    {
        using var f = new CatalogFixture();
        f.Journal.FailNext = true;
        Assert.Equal(StorageError.IOError, f.Catalog.CreateStream("cam").Error);
        Assert.Equal(StorageError.ResourceNotFound, f.Catalog.Describe(StreamRef.ByName("cam")).Error);

        var s = f.Create("cam");
        f.Journal.FailNext = true;
        Assert.Equal(StorageError.IOError, f.Catalog.UpdateStream(StreamRef.ByName("cam"), s.Version, deviceName: "d").Error);
        Assert.Equal(s.Version, f.Catalog.Describe(StreamRef.ByName("cam")).Value!.Version);
        Assert.Null(f.Catalog.Describe(StreamRef.ByName("cam")).Value!.DeviceName);

        // The delete's second write fails: the stream stays DELETING, busy for changes, and a retried delete finishes it.
        f.Journal.Entries.Clear();
        var journal = new FailSecondWrite(f.Journal);
        var catalog = new StreamCatalog(f.Index, journal, f.Time);
        Assert.Equal(StorageError.IOError, catalog.Delete(s.Arn, s.Version).Error);
        Assert.Equal(StreamStatus.Deleting, catalog.Describe(StreamRef.ByName("cam")).Value!.Status);
        Assert.Equal(StorageError.ResourceInUse, catalog.UpdateStream(StreamRef.ByName("cam"), catalog.Describe(StreamRef.ByName("cam")).Value!.Version).Error);
        Assert.True(catalog.Delete(s.Arn, s.Version).IsSuccess);
        Assert.Equal(StorageError.ResourceNotFound, catalog.Describe(StreamRef.ByName("cam")).Error);
    }

    [GeneratedRegex(@"\A[a-zA-Z0-9]{16,64}\z")]
    private static partial Regex VersionShape();

    private sealed class FailSecondWrite(RecordingJournal inner) : IStreamJournal
    {
        private int _calls;

        public void Write(StreamRecord stream)
        {
            Fail();
            inner.Write(stream);
        }

        public void WriteDeleted(long streamId)
        {
            Fail();
            inner.WriteDeleted(streamId);
        }

        private void Fail()
        {
            if (++_calls == 2)
            {
                throw new IOException("I/O error");
            }
        }
    }
}
