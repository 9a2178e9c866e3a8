using VideoStreams.Server.Kvs;
using VideoStreams.Server.Playback.Hls.LowLatency;

namespace VideoStreams.Server.Playback.Hls;

/// <summary>Routes of HLS streaming sessions (GetHLSStreamingSessionURL and the session resources).</summary>
internal static class HlsEndpoints
{
    public const string Prefix = "/hls/v1/";

    public static IServiceCollection AddHls(this IServiceCollection services) => services
        .AddSingleton<HlsTokens>()
        .AddSingleton<HlsMetrics>()
        .AddSingleton<HlsPackager>()
        .AddSingleton<HlsSelection>()
        .AddSingleton<HlsSessionService>()
        .AddSingleton(services => services.GetRequiredService<IConfiguration>().GetSection(LlOptions.Section).Get<LlOptions>() ?? new LlOptions())
        .AddSingleton<LlMetrics>()
        .AddSingleton<LlChannels>()
        .AddSingleton<LlResources>()
        .AddSingleton<HlsResources>();

    public static IEndpointRouteBuilder MapHls(this IEndpointRouteBuilder app)
    {
        var sessions = app.ServiceProvider.GetRequiredService<HlsSessionService>();
        var resources = app.ServiceProvider.GetRequiredService<HlsResources>();
        app.MapKvs("GetHLSStreamingSessionURL", "/getHLSStreamingSessionURL", HlsJson.Default.GetHlsStreamingSessionUrlInput, (input, context) => sessions.GetUrl(input, context.Request))
            .RequireCors(PlaybackCors.Policy);
        string[] methods = ["GET", "HEAD"];
        app.MapMethods(Prefix + HlsResources.MasterName, methods, context => resources.ServeAsync(context, HlsResource.Master)).RequireCors(PlaybackCors.Policy);
        app.MapMethods(Prefix + HlsResources.MediaName, methods, context => resources.ServeAsync(context, HlsResource.Media)).RequireCors(PlaybackCors.Policy);
        app.MapMethods(Prefix + HlsResources.InitName, methods, context => resources.ServeAsync(context, HlsResource.Init)).RequireCors(PlaybackCors.Policy);
        app.MapMethods(Prefix + HlsResources.SegmentName, methods, context => resources.ServeAsync(context, HlsResource.Segment)).RequireCors(PlaybackCors.Policy);
        app.MapMethods(Prefix + LlResources.PartName, methods, context => resources.ServeAsync(context, HlsResource.Part)).RequireCors(PlaybackCors.Policy);
        return app;
    }
}
