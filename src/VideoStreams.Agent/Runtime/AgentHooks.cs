using System.Diagnostics.Metrics;
using VideoStreams.Agent.Configuration;
using VideoStreams.Producer.Sources;
using VideoStreams.Producer.Spool;
using VideoStreams.Producer.Upload;

namespace VideoStreams.Agent.Runtime;

/// <summary>What uploads a device's spool: <see cref="PutMediaUploader"/>, or a stand-in in tests.</summary>
internal interface IFragmentUploader : IAsyncDisposable
{
    /// <summary>Runs until cancelled; throws <see cref="UploadFatalException"/> when the server refuses for good.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The seams of the agent: where a device's source and uploader come from, and the clock. The process uses the
/// defaults; tests put an in-test source (H.264 made by ffmpeg) or uploader there.
/// </summary>
internal sealed record AgentHooks
{
    public Func<DeviceSettings, ILoggerFactory, IVideoSource> CreateSource { get; init; } =
        (device, logs) => VideoSources.Create(device.Source, device.Encoder, device.FragmentDuration, TimeProvider.System, logs);

    /// <summary>Makes a device's uploader: its settings, its spool, and the live feed when it sends frames as captured.</summary>
    public Func<UploaderOptions, FragmentSpool, LiveFragmentFeed?, ILoggerFactory, IMeterFactory, IFragmentUploader> CreateUploader { get; init; } =
        (options, spool, live, logs, meters) => new PutMediaUploaderAdapter(new PutMediaUploader(options, spool, null, TimeProvider.System, logs, meters, live));

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The first delay before a failed source or uploader is started again (doubled up to 30 s).</summary>
    public TimeSpan RestartBackoff { get; init; } = TimeSpan.FromSeconds(1);

    private sealed class PutMediaUploaderAdapter(PutMediaUploader uploader) : IFragmentUploader
    {
        public Task RunAsync(CancellationToken cancellationToken) => uploader.RunAsync(cancellationToken);

        public ValueTask DisposeAsync() => uploader.DisposeAsync();
    }
}
