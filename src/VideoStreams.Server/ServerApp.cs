using System.Diagnostics.Metrics;
using System.Text.Json.Serialization;
using OpenTelemetry.Metrics;
using VideoStreams.Server.ControlPlane;
using VideoStreams.Server.Ingest;
using VideoStreams.Server.Kvs;
using VideoStreams.Server.Live;
using VideoStreams.Server.Playback;
using VideoStreams.Server.Web;
using VideoStreams.Storage;
using VideoStreams.Storage.Encryption;
using VideoStreams.Storage.Files;

namespace VideoStreams.Server;

/// <summary>
/// Builds the whole server: configuration, the store, metrics, and every feature's endpoints. Program and the tests
/// call the same <see cref="Build(string[])"/>, so the tests run the real thing on a real Kestrel.
/// </summary>
internal static class ServerApp
{
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data"] = $"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)}",
    };

    /// <summary>Builds the application and opens the store (so a bad key or a damaged store fails before listening).</summary>
    /// <exception cref="ServerConfigurationException">A setting is wrong.</exception>
    public static WebApplication Build(string[] args) => Build(args, null);

    /// <summary>
    /// As <see cref="Build(string[])"/>, the store reaching the disk through <paramref name="storageFiles"/> (given the
    /// data folder's full path): tests put a fault-injecting file system there (a stalled disk, a full one).
    /// </summary>
    internal static WebApplication Build(string[] args, Func<string, IStorageFileSystem>? storageFiles)
    {
        // The content root is where appsettings.json was copied, so `dotnet run --project` finds it from any folder;
        // the data folder stays relative to the working directory, where the operator expects it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, SwitchMappings);

        var options = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        if (options.Problem() is { } problem)
        {
            throw new ServerConfigurationException(problem);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
        });

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => OpenStore(options, services, storageFiles));
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<IMeterFactory>(ProcessMeterFactory.Instance);
        builder.Services.AddSingleton<KvsMetrics>();
        builder.Services.AddControlPlane();
        builder.Services.AddPlayback();
        builder.Services.AddSingleton<LiveMetrics>();
        builder.Services.AddSingleton(services => new LiveHub(services.GetRequiredService<LiveMetrics>(),
            builder.Configuration.GetSection(LiveOptions.Section).Get<LiveOptions>(), services.GetRequiredService<TimeProvider>()));
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, KvsJson.Default));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(KvsMetrics.MeterName, StoreMeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VideoStreams.Server");
        try
        {
            _ = app.Services.GetRequiredService<FragmentStore>();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        ServerLog.StoreOpened(logger, dataDirectory);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            ServerLog.Listening(logger, urls);
        });
        app.Lifetime.ApplicationStopping.Register(() => ServerLog.Stopping(logger));

        app.UseStatusCodePages();
        app.Use(KvsRequest.StampResponse);
        app.UseCors();
        app.MapConsole();
        app.MapGet("/health", context => context.Response.WriteAsJsonAsync(new HealthReply("ok"), KvsJson.Default.HealthReply));
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapControlPlane();
        app.MapPlayback();
        app.MapIngest();
        return app;
    }

    private const string StoreMeterName = "VideoStreams.Storage";

    private static FragmentStore OpenStore(ServerOptions options, IServiceProvider services, Func<string, IStorageFileSystem>? storageFiles)
    {
        var data = Path.GetFullPath(options.DataDirectory);
        var encryption = new EncryptionOptions
        {
            MasterKeys = [.. options.MasterKeys.Select(MasterKeySource.Parse)],
            DemoKeyInDataFolder = options.AllowDemoKey,
        };
        return FragmentStore.Open(
            new FragmentStoreOptions
            {
                DataDirectory = data,
                Region = options.Region,
                AccountId = options.AccountId,
                Encryption = encryption,
            },
            storageFiles?.Invoke(data),
            time: services.GetRequiredService<TimeProvider>(),
            loggerFactory: services.GetRequiredService<ILoggerFactory>(),
            meterFactory: services.GetRequiredService<IMeterFactory>());
    }
}

/// <summary>GET /health.</summary>
/// <param name="Status">Always "ok" while the server answers.</param>
internal sealed record HealthReply([property: JsonPropertyName("status")] string Status);

/// <summary>A setting that cannot work; the server does not start.</summary>
internal sealed class ServerConfigurationException(string message) : Exception(message);
