namespace VideoStreams.Server.Playback.Clips;

/// <summary>Routes of MP4 clips (GetClip and the ranged clip endpoint).</summary>
internal static class ClipsEndpoints
{
    public static IServiceCollection AddClips(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapClips(this IEndpointRouteBuilder app) => app;
}
