namespace VideoStreams.Server.Playback.Hls;

/// <summary>Routes of HLS streaming sessions (GetHLSStreamingSessionURL and the session resources).</summary>
internal static class HlsEndpoints
{
    public static IServiceCollection AddHls(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapHls(this IEndpointRouteBuilder app) => app;
}
