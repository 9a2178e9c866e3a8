namespace VideoStreams.Server.Playback.Clips;

/// <summary>
/// The last few clip plans, by ETag: a player fetching a clip by ranges (or a HEAD then a GET) plans it once, not once per
/// request. Small: an hour's plan is a few MB of sample tables.
/// </summary>
internal sealed class ClipPlanCache
{
    private const int Capacity = 4;
    private readonly LinkedList<ClipPlan> _plans = new();
    private readonly Lock _lock = new();

    public ClipPlan? Find(string etag)
    {
        lock (_lock)
        {
            for (var node = _plans.First; node is not null; node = node.Next)
            {
                if (node.Value.ETag == etag)
                {
                    _plans.Remove(node);
                    _plans.AddFirst(node);
                    return node.Value;
                }
            }

            return null;
        }
    }

    public void Add(ClipPlan plan)
    {
        lock (_lock)
        {
            _plans.AddFirst(plan);
            while (_plans.Count > Capacity)
            {
                _plans.RemoveLast();
            }
        }
    }
}
