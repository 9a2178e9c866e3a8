namespace VideoStreams.Server.Playback.Timeline;

/// <summary>Routes of extent and gaps of a stream (for timelines).</summary>
internal static class TimelineEndpoints
{
    public static IServiceCollection AddTimeline(this IServiceCollection services) => services.AddSingleton<TimelineService>();

    public static IEndpointRouteBuilder MapTimeline(this IEndpointRouteBuilder app)
    {
        var timeline = app.ServiceProvider.GetRequiredService<TimelineService>();
        app.MapGet("/v1/streams/{name}/extent", context =>
                timeline.Extent(Name(context), Query(context, "clock")).ExecuteAsync(context))
            .RequireCors(PlaybackCors.Policy)
            .WithName("StreamExtent");
        app.MapGet("/v1/streams/{name}/gaps", context =>
                timeline.Gaps(Name(context), Query(context, "start"), Query(context, "end"), Query(context, "clock"), Query(context, "minGapMs"))
                    .ExecuteAsync(context))
            .RequireCors(PlaybackCors.Policy)
            .WithName("StreamGaps");
        return app;
    }

    private static string Name(HttpContext context) => (string)context.Request.RouteValues["name"]!;

    /// <summary>A query parameter, or null when absent; sent twice it is refused as not one value.</summary>
    private static string? Query(HttpContext context, string key) => context.Request.Query.TryGetValue(key, out var values)
        ? values.Count == 1 ? values[0] ?? "" : string.Join(',', values.ToArray())
        : null;
}
