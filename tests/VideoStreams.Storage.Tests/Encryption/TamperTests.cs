namespace VideoStreams.Storage.Tests.Encryption;

/// <summary>
/// An attacker with the disk: alters bytes and recomputes the checksums (which only guard against accidents), moves a
/// record to another stream, replays one at another position. Each is detected, reported with the stream, fragment
/// and file offset, and never served — and the other fragments still read.
/// </summary>
public sealed class TamperTests
{
    // Record layout: header 32 bytes; body: metadata 48 bytes (stream id, producer ts, server ts, duration, flags, key
    // id, lengths), then the sealed media, whose last 16 bytes are the GCM tag.
    private const int Body = 32;

    public static TheoryData<string> Alterations() => ["ciphertext", "tag", "producer timestamp", "flags", "key id"];

    [Theory]
    [MemberData(nameof(Alterations))]
    public async Task An_altered_record_with_recomputed_checksums_does_not_open(string what)
    {
        using var s = new EncryptedStore();
        var cam = s.Stream("cam");
        var before = await s.Persist(cam, EncryptedStore.Media(1), 1_000);
        var target = await s.Persist(cam, EncryptedStore.Media(2), 2_000);
        var after = await s.Persist(cam, EncryptedStore.Media(3), 3_000);

        s.Tamper(target.Entry, record =>
        {
            var at = what switch
            {
                "ciphertext" => Body + 48 + 100,
                "tag" => record.Length - 3,
                "producer timestamp" => Body + 8,
                "flags" => Body + 28,
                _ => Body + 32,
            };
            record[at] ^= 0x04;
        });

        var e = Assert.Throws<CorruptSegmentException>(() => s.Store.Read(target.Entry.Number));
        Assert.Equal(what == "key id" ? CorruptionKind.KeyUnavailable : CorruptionKind.Unauthenticated, e.Kind);
        Assert.Equal((cam, target.Entry.Number, target.Entry.Offset), (e.StreamId, e.FragmentNumber, e.Offset));
        Assert.Contains(".chunk", e.File, StringComparison.Ordinal);
        Assert.Equal(before.Media, s.Store.Read(before.Entry.Number).Value!.Media);
        Assert.Equal(after.Media, s.Store.Read(after.Entry.Number).Value!.Media);

        // The streaming read (clips) refuses it the same way, and leaves none of its unauthenticated plaintext in the
        // caller's buffer; the buffer then reads the next fragment as usual.
        var buffer = new byte[target.Entry.Size + 100];
        Array.Fill(buffer, (byte)0xEE);
        var streamed = Assert.Throws<CorruptSegmentException>(() => s.Store.ReadMedia(target.Entry, buffer));
        Assert.Equal(e.Kind, streamed.Kind);
        Assert.True(buffer.AsSpan(0, target.Entry.Size).IndexOfAnyExcept((byte)0) < 0 || buffer.AsSpan(0, target.Entry.Size).IndexOfAnyExcept((byte)0xEE) < 0,
            "the buffer holds bytes of the refused fragment");
        Assert.Equal(after.Media.Length, s.Store.ReadMedia(after.Entry, buffer).Value);
        Assert.Equal(after.Media, buffer.AsSpan(0, after.Media.Length).ToArray());
    }

    [Fact]
    public async Task A_flipped_bit_without_recomputed_checksums_is_caught_by_the_checksum()
    {
        using var s = new EncryptedStore();
        var cam = s.Stream("cam");
        var target = await s.Persist(cam, EncryptedStore.Media(2), 2_000);

        s.Tamper(target.Entry, record => record[Body + 48 + 10] ^= 1, fixChecksums: false);

        var e = Assert.Throws<CorruptSegmentException>(() => s.Store.Read(target.Entry.Number));
        Assert.Equal(CorruptionKind.Damaged, e.Kind);
        Assert.Contains("checksum", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renumbered_header_is_refused_by_the_index_and_after_a_rebuild_by_authentication()
    {
        using var s = new EncryptedStore();
        var cam = s.Stream("cam");
        var target = await s.Persist(cam, EncryptedStore.Media(2), 2_000);
        var forged = target.Entry.Number + 1_000_000;

        s.Tamper(target.Entry, record => EncryptedStore.SetSequence(record, forged));

        // With the index: the record at that position is not the fragment the index knows.
        Assert.Equal(CorruptionKind.Damaged, Assert.Throws<CorruptSegmentException>(() => s.Store.Read(target.Entry.Number)).Kind);

        // Without it: the rebuilt index believes the header, and authentication (the number is associated data) refuses it.
        s.Reopen(loseIndex: true);
        var e = Assert.Throws<CorruptSegmentException>(() => s.Store.Read(forged));
        Assert.Equal(CorruptionKind.Unauthenticated, e.Kind);
        Assert.Equal(forged, e.FragmentNumber);
    }

    [Fact]
    public async Task A_record_moved_into_another_stream_does_not_open_there()
    {
        using var s = new EncryptedStore();
        var alice = s.Stream("alice");
        var bob = s.Stream("bob");
        var secret = await s.Persist(alice, EncryptedStore.Media(1), 1_000);
        var victim = await s.Persist(bob, EncryptedStore.Media(2), 1_000);
        var bobsOther = await s.Persist(bob, EncryptedStore.Media(3), 2_000);
        Assert.Equal(secret.Entry.Length, victim.Entry.Length);

        // Alice's record, made to look like Bob's fragment: his number, his stream id, checksums recomputed.
        s.Close();
        var record = s.ReadRecord(secret.Entry);
        EncryptedStore.SetSequence(record, victim.Entry.Number);
        BitConverter.TryWriteBytes(record.AsSpan(Body, 8), bob);
        s.WriteRecord(victim.Entry, record, fixChecksums: true);
        s.OpenAgain();

        var e = Assert.Throws<CorruptSegmentException>(() => s.Store.Read(victim.Entry.Number));
        Assert.Equal(CorruptionKind.Unauthenticated, e.Kind);
        Assert.Equal(bob, e.StreamId);
        Assert.Equal(secret.Media, s.Store.Read(secret.Entry.Number).Value!.Media);
        Assert.Equal(bobsOther.Media, s.Store.Read(bobsOther.Entry.Number).Value!.Media);

        // As is, without any forging: refused as well.
        s.Close();
        s.WriteRecord(victim.Entry, s.ReadRecord(secret.Entry), fixChecksums: false);
        s.OpenAgain();
        Assert.Throws<CorruptSegmentException>(() => s.Store.Read(victim.Entry.Number));
    }

    [Fact]
    public async Task A_record_replayed_at_another_position_does_not_open_there()
    {
        using var s = new EncryptedStore();
        var cam = s.Stream("cam");
        var first = await s.Persist(cam, EncryptedStore.Media(1), 1_000);
        var second = await s.Persist(cam, EncryptedStore.Media(2), 2_000);
        var third = await s.Persist(cam, EncryptedStore.Media(3), 3_000);

        // The second record, byte for byte, written over the first: a genuine record at the wrong place.
        s.Close();
        s.WriteRecord(first.Entry, s.ReadRecord(second.Entry), fixChecksums: false);
        s.OpenAgain();
        Assert.Equal(CorruptionKind.Damaged, Assert.Throws<CorruptSegmentException>(() => s.Store.Read(first.Entry.Number)).Kind);

        // A rebuilt index meets the replayed copy first and takes it for fragment 2: its position is authenticated.
        s.Reopen(loseIndex: true);
        var entry = s.Store.Index.GetFragment(second.Entry.Number);
        Assert.Equal(first.Entry.Offset, entry!.Value.Offset);
        var e = Assert.Throws<CorruptSegmentException>(() => s.Store.Read(second.Entry.Number));
        Assert.Equal(CorruptionKind.Unauthenticated, e.Kind);
        Assert.Equal(third.Media, s.Store.Read(third.Entry.Number).Value!.Media);
    }
}
