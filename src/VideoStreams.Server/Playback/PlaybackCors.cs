namespace VideoStreams.Server.Playback;

/// <summary>
/// CORS for the playback resources (HLS playlists and segments, clips, images): players on any web page use a session
/// URL as they do with KVS's, so any origin may GET/HEAD them and read the headers a ranged player needs.
/// </summary>
internal static class PlaybackCors
{
    public const string Policy = "playback";

    public static IServiceCollection AddPlaybackCors(this IServiceCollection services) => services.AddCors(cors => cors.AddPolicy(Policy, policy => policy
        .AllowAnyOrigin()
        .WithMethods("GET", "HEAD", "POST")
        .AllowAnyHeader()
        .WithExposedHeaders("Content-Length", "Content-Range", "Accept-Ranges", "Content-Type")
        .SetPreflightMaxAge(TimeSpan.FromHours(1))));
}
