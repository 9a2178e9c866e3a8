namespace VideoStreams.Server.Playback.Images;

/// <summary>Routes of GetImages (JPEG/PNG decoded from stored fragments).</summary>
internal static class ImagesEndpoints
{
    /// <summary>Where decoded fragments are briefly written, under the data folder.</summary>
    public const string TempFolder = "tmp/images";

    public static IServiceCollection AddImages(this IServiceCollection services) => services
        .AddSingleton(s => s.GetRequiredService<IConfiguration>().GetSection(ImagesOptions.Section).Get<ImagesOptions>() ?? new ImagesOptions())
        .AddSingleton<ImagesMetrics>()
        .AddSingleton(s =>
        {
            var data = Path.GetFullPath(s.GetRequiredService<ServerOptions>().DataDirectory);
            var decoder = new FragmentDecoder(Path.Combine(data, TempFolder), s.GetRequiredService<ImagesMetrics>(),
                s.GetRequiredService<ILogger<FragmentDecoder>>());
            decoder.CleanTempArea();
            return decoder;
        })
        .AddSingleton<ImagesService>();

    public static IEndpointRouteBuilder MapImages(this IEndpointRouteBuilder app)
    {
        var images = app.ServiceProvider.GetRequiredService<ImagesService>();
        app.MapKvsMedia("GetImages", "/getImages", ImagesJson.Default.GetImagesInput, images.GetImages);
        return app;
    }
}
