namespace VideoStreams.Server.Tests.Crash;

/// <summary>
/// What the camera and its readers have learned across kills and restarts, and the checks that it still holds: each
/// fragment the server acked PERSISTED or listed must stay, under the same number, byte-identical; a fragment number
/// never names two different fragments (not even one acked RECEIVED and lost in a kill).
/// </summary>
internal sealed class FragmentLedger(LiveSource source, string stream)
{
    // Producer timestamp → fragment number of every fragment acked PERSISTED or listed after a restart.
    private readonly Dictionary<long, string> _known = [];
    private readonly HashSet<long> _ackedPersisted = [];
    // Every fragment number seen in an ack or a listing → the producer timestamp it named.
    private readonly Dictionary<string, long> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SourceCluster> _clusters = source.Clusters.ToDictionary(c => LiveUpload.StartMs + c.Timecode);

    /// <summary>Producer timestamps of the fragments the server is known to hold.</summary>
    public IReadOnlySet<long> Known => _known.Keys.ToHashSet();

    /// <summary>
    /// The acks of one upload: no errors; a fragment the server already had is acked with its old number (RECEIVED
    /// and PERSISTED), and every one of those before the last PERSISTED ack of this upload was acked PERSISTED; the
    /// new PERSISTED acks join what is known. Returns how many known fragments this upload resent and had acked.
    /// </summary>
    public int CheckUpload(UploadResult upload, string when)
    {
        Assert.True(!upload.OfType("ERROR").Any(), $"{when}: ERROR acks: {upload}");
        foreach (var ack in upload.Acks.Where(a => a.EventType is "RECEIVED" or "PERSISTED"))
        {
            var producerMs = LiveUpload.StartMs + ack.Timecode!.Value;
            Assert.True(_clusters.ContainsKey(producerMs), $"{when}: ack for a timecode never sent: {ack.Raw}");
            if (_known.TryGetValue(producerMs, out var number))
            {
                Assert.True(number == ack.FragmentNumber, $"{when}: the fragment at {ack.Timecode} is {number}, but was acked {ack.Raw}");
            }

            Own(ack.FragmentNumber!, producerMs, $"{when}, {ack.Raw}");
        }

        var persisted = upload.OfType("PERSISTED").Select(a => LiveUpload.StartMs + a.Timecode!.Value).ToHashSet();
        var last = persisted.Count == 0 ? long.MinValue : persisted.Max();
        var resent = _known.Keys.Count(ms => ms <= last);
        var unacked = _known.Keys.Where(ms => ms <= last && !persisted.Contains(ms)).Order().ToList();
        Assert.True(unacked.Count == 0, $"{when}: resent fragments the server had were not acked PERSISTED: {string.Join(", ", unacked)}\n{upload}");

        foreach (var ack in upload.OfType("PERSISTED"))
        {
            var producerMs = LiveUpload.StartMs + ack.Timecode!.Value;
            _known.TryAdd(producerMs, ack.FragmentNumber!);
            _ackedPersisted.Add(producerMs);
        }

        return resent;
    }

    /// <summary>
    /// What a client sees over HTTP: every known fragment is listed with its number and producer timestamp; no
    /// producer timestamp twice; every listed fragment — acked or not — reads back through GetMediaForFragmentList as
    /// exactly the cluster the camera sent for that timestamp (nothing torn). Listed fragments join what is known.
    /// </summary>
    /// <returns>The listing and a line for the test output.</returns>
    public async Task<(List<ListedFragment> Listed, string Summary)> CheckStoredAsync(HttpClient client, string when)
    {
        var listed = await StoredFragments.ListAsync(client, stream, LiveUpload.StartMs);
        var twice = listed.GroupBy(f => f.ProducerMs).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.Number))}").ToList();
        Assert.True(twice.Count == 0, $"{when}: producer timestamps listed more than once: {string.Join("; ", twice)}");

        var byProducerMs = listed.ToDictionary(f => f.ProducerMs);
        var missing = _known.Where(k => !byProducerMs.TryGetValue(k.Key, out var f) || f.Number != k.Value)
            .Select(k => $"{k.Key} (fragment {k.Value}{(_ackedPersisted.Contains(k.Key) ? ", acked PERSISTED" : "")})").ToList();
        Assert.True(missing.Count == 0, $"{when}: {missing.Count} fragments are gone or renumbered: {string.Join(", ", missing)}");

        foreach (var f in listed)
        {
            Assert.True(_clusters.TryGetValue(f.ProducerMs, out var c), $"{when}: fragment {f.Number} has a producer timestamp never sent: {f.ProducerMs}");
            Assert.True(c.Length == f.Size, $"{when}: fragment {f.Number} at {f.ProducerMs} is {f.Size} bytes; the camera sent {c.Length}");
            Own(f.Number, f.ProducerMs, $"{when}, ListFragments");
        }

        if (listed.Count > 0)
        {
            var read = await StoredFragments.ReadAsync(client, stream, [.. listed.Select(f => f.Number)]);
            Assert.Equal(listed.Count, read.Count);
            for (var i = 0; i < listed.Count; i++)
            {
                var (f, chunk) = (listed[i], read[i]);
                Assert.True(chunk.ErrorCode is null, $"{when}: fragment {f.Number} reads back as error {chunk.ErrorCode}");
                Assert.Equal(f.Number, chunk.Number);
                Assert.Equal(StoredFragments.TagSeconds(f.ProducerMs), chunk.ProducerTimestamp);
                Assert.True(chunk.Cluster is not null && source.Cluster(_clusters[f.ProducerMs]).Span.SequenceEqual(chunk.Cluster),
                    $"{when}: fragment {f.Number} at {f.ProducerMs} does not read back byte-identical ({chunk.Cluster?.Length} bytes read)");
            }
        }

        foreach (var f in listed)
        {
            _known.TryAdd(f.ProducerMs, f.Number);
        }

        var acked = listed.Count(f => _ackedPersisted.Contains(f.ProducerMs));
        return (listed, $"{when}: {listed.Count} listed and read back byte-identical ({acked} acked PERSISTED, {listed.Count - acked} not acked but whole)");
    }

    private void Own(string number, long producerMs, string where)
    {
        if (!_owners.TryAdd(number, producerMs))
        {
            Assert.True(_owners[number] == producerMs,
                $"fragment number {number} named the fragment at {_owners[number]} and now the one at {producerMs} ({where})");
        }
    }
}
