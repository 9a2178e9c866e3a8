using Xunit.Abstractions;

namespace VideoStreams.Server.Tests.Crash;

/// <summary>
/// The other half of "a resend after reconnect creates no duplicates": the server stays up, the camera's connection
/// drops. The KVS producer SDK then opens a new PutMedia (which takes over the old one) and rolls back to the first
/// fragment it has no PERSISTED ack for — often one the server has appended and is committing at that very moment.
/// </summary>
public sealed class ReconnectResendTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private const int Attempts = 5;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task A_camera_that_reconnects_and_resends_from_its_first_unpersisted_fragment_gets_the_same_numbers_and_each_fragment_is_stored_once()
    {
        var source = LiveSource.Instance;
        using var client = server.CreateClient();
        var duplicates = new List<string>();
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var stream = KvsHttp.UniqueName("reconnect");
            await client.CreateStreamAsync(stream, retentionHours: 1);
            var persisted = new HashSet<long>();
            var received = 0;
            var from = -1;
            Task<UploadResult>? resend = null;
            var first = await LiveUpload.RunAsync(server.BaseUrl, stream, source, Pace, ack =>
            {
                if (ack.EventType == "PERSISTED")
                {
                    persisted.Add(ack.Timecode!.Value);
                }

                // The connection "drops" once a few fragments are in: reconnect and resend from the newest fragment
                // that is RECEIVED but not yet PERSISTED, while its commit may still be running.
                if (resend is null && ack.EventType == "RECEIVED" && ++received >= 3 + attempt && !persisted.Contains(ack.Timecode!.Value))
                {
                    from = source.Clusters.ToList().FindIndex(c => c.Timecode == ack.Timecode);
                    resend = Task.Run(() => LiveUpload.RunAsync(server.BaseUrl, stream, source, Pace, _ => { }, from));
                }
            });
            Assert.NotNull(resend);
            var second = await resend;

            Assert.True(first.Completed, $"the first session did not end cleanly on the takeover: {first}");
            Assert.True(second.Completed, $"the resending session was cut off: {second}");
            Assert.True(!first.OfType("ERROR").Any() && !second.OfType("ERROR").Any(), $"ERROR acks:\n{first}\n---\n{second}");
            var firstNumbers = first.OfType("RECEIVED").ToDictionary(a => a.Timecode!.Value, a => a.FragmentNumber);
            // Nothing the first session acked RECEIVED is lost: each gets its PERSISTED before that session ends.
            Assert.Equal(firstNumbers.Keys.Order(), first.OfType("PERSISTED").Select(a => a.Timecode!.Value).Order());

            var listed = await StoredFragments.ListAsync(client, stream, LiveUpload.StartMs);
            var twice = listed.GroupBy(f => f.ProducerMs).Where(g => g.Count() > 1).ToList();
            foreach (var g in twice)
            {
                duplicates.Add($"attempt {attempt}: producer timestamp {g.Key} stored as {string.Join(" and ", g.Select(f => f.Number))}");
            }

            // A fragment the first session had already numbered keeps its number in the resend's acks.
            var renumbered = second.OfType("PERSISTED")
                .Where(a => firstNumbers.TryGetValue(a.Timecode!.Value, out var n) && n != a.FragmentNumber)
                .Select(a => $"attempt {attempt}: timecode {a.Timecode} was {firstNumbers[a.Timecode!.Value]}, resend acked {a.FragmentNumber}");
            duplicates.AddRange(renumbered);
            output.WriteLine($"attempt {attempt}: reconnected at cluster {from} (RECEIVED, not PERSISTED); first session {firstNumbers.Count} fragments, "
                + $"resend {second.OfType("PERSISTED").Count()} PERSISTED; {listed.Count} listed, {twice.Count} producer timestamps twice");
        }

        Assert.True(duplicates.Count == 0, "resent fragments stored twice or renumbered:\n" + string.Join("\n", duplicates));
    }
}
