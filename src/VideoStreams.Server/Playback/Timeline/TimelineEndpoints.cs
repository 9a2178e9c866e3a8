namespace VideoStreams.Server.Playback.Timeline;

/// <summary>Routes of extent and gaps of a stream (for timelines).</summary>
internal static class TimelineEndpoints
{
    public static IServiceCollection AddTimeline(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapTimeline(this IEndpointRouteBuilder app) => app;
}
