using System.Collections.Concurrent;
using VideoStreams.Server.Live;

namespace VideoStreams.Server.Playback.Hls.LowLatency;

/// <summary>
/// The running <see cref="LlChannel"/>s, one per stream: started when a session that needs one is created (or when
/// one of its requests finds none, e.g. after a restart), stopped by a sweep every 10 s once no request used them for
/// <see cref="LlOptions.IdleTimeout"/>. Each channel holds at most <see cref="LlOptions.MaxSegments"/> segments and
/// <see cref="LlOptions.MaxBytes"/> of media.
/// </summary>
internal sealed class LlChannels : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, LlChannel> _channels = new();
    private readonly LiveHub _hub;
    private readonly LlOptions _options;
    private readonly LlMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<LlChannels> _logger;
    private readonly ITimer _sweep;
    private readonly object _gate = new();

    public LlChannels(LiveHub hub, LlOptions options, LlMetrics metrics, TimeProvider time, ILogger<LlChannels> logger)
    {
        _hub = hub;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    public LlOptions Options => _options;

    /// <summary>Channels running now.</summary>
    public int Count => _channels.Count;

    /// <summary>The stream's channel, started if needed; counts as a request (keeps it from the idle sweep).</summary>
    public LlChannel Get(long streamId, int targetDurationHint = 1)
    {
        if (!_channels.TryGetValue(streamId, out var channel))
        {
            lock (_gate)
            {
                if (!_channels.TryGetValue(streamId, out channel))
                {
                    channel = new LlChannel(streamId, targetDurationHint, _hub, _options, _metrics, _time, _logger);
                    _channels[streamId] = channel;
                    _metrics.ChannelStarted();
                    HlsLog.ChannelStarted(_logger, streamId, _options.PartTargetMs);
                }
            }
        }

        channel.Touch();
        return channel;
    }

    private void Sweep()
    {
        foreach (var (id, channel) in _channels)
        {
            if (_time.GetElapsedTime(channel.LastRequest) < _options.IdleTimeout)
            {
                continue;
            }

            lock (_gate)
            {
                if (!_channels.TryRemove(new KeyValuePair<long, LlChannel>(id, channel)))
                {
                    continue;
                }
            }

            _metrics.ChannelStopped();
            HlsLog.ChannelStopped(_logger, id);
            _ = channel.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sweep.DisposeAsync();
        foreach (var channel in _channels.Values)
        {
            await channel.DisposeAsync();
        }

        _channels.Clear();
    }
}
