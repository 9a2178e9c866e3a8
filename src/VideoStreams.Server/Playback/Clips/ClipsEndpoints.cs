namespace VideoStreams.Server.Playback.Clips;

/// <summary>Routes of MP4 clips (GetClip and the ranged clip endpoint).</summary>
internal static class ClipsEndpoints
{
    public static IServiceCollection AddClips(this IServiceCollection services) => services
        .AddSingleton<ClipMetrics>()
        .AddSingleton<ClipPlanCache>()
        .AddSingleton<ClipService>();

    public static IEndpointRouteBuilder MapClips(this IEndpointRouteBuilder app)
    {
        var service = app.ServiceProvider.GetRequiredService<ClipService>();
        app.MapKvsMedia("GetClip", "/getClip", ClipsJson.Default.GetClipInput, service.GetClip);
        app.MapMethods("/v1/streams/{name}/clip", [HttpMethods.Get, HttpMethods.Head],
                (RequestDelegate)(context => ClipHttp.HandleAsync(context, (string)context.Request.RouteValues["name"]!, service)))
            .RequireCors(PlaybackCors.Policy)
            .WithName("Clip");
        return app;
    }
}
