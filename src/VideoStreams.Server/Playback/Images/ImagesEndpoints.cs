namespace VideoStreams.Server.Playback.Images;

/// <summary>Routes of GetImages (JPEG/PNG decoded from stored fragments).</summary>
internal static class ImagesEndpoints
{
    public static IServiceCollection AddImages(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapImages(this IEndpointRouteBuilder app) => app;
}
