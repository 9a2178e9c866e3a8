namespace VideoStreams.Server.Playback.Images;

/// <summary>GetImages settings, configuration section <c>VideoStreams:Images</c>.</summary>
internal sealed record ImagesOptions
{
    public const string Section = "VideoStreams:Images";

    /// <summary>
    /// Fragments decoded at the same time, over all requests (0 = half the cores, at least 1). Decoding is the
    /// expensive part of GetImages; a request beyond the limit waits for a slot (until the caller goes away), so image
    /// jobs never take every core from ingest.
    /// </summary>
    public int MaxConcurrentDecodes { get; set; }

    public int EffectiveMaxConcurrentDecodes => MaxConcurrentDecodes > 0 ? MaxConcurrentDecodes : Math.Max(1, Environment.ProcessorCount / 2);
}
