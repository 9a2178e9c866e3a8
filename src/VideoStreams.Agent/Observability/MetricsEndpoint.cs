using OpenTelemetry.Metrics;
using VideoStreams.Agent.Configuration;

namespace VideoStreams.Agent.Observability;

/// <summary>
/// The agent's Prometheus endpoint (<c>--metrics-urls http://127.0.0.1:9581/metrics</c>): a minimal Kestrel app that
/// exports the meters "VideoStreams.Producer" (sources, encoder, fragmenter, spool, uploader) and "VideoStreams.Agent".
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app, IReadOnlyList<Uri> urls)
    {
        _app = app;
        Urls = urls;
    }

    /// <summary>The scrape URLs, with the ports actually bound.</summary>
    public IReadOnlyList<Uri> Urls { get; }

    /// <summary>Parses <c>--metrics-urls</c>: one or more http URLs separated by ';' or ',', all with the same path (default /metrics).</summary>
    public static (string[] Listen, string Path) ParseUrls(string text)
    {
        var listen = new List<string>();
        string? path = null;
        foreach (var part in text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp || !string.IsNullOrEmpty(url.Query))
            {
                throw new AgentException(ExitCodes.BadConfiguration, null, "--metrics-urls", $"\"{part}\" is not an http:// URL (e.g. http://127.0.0.1:9581/metrics)");
            }

            var thisPath = url.AbsolutePath is "/" or "" ? "/metrics" : url.AbsolutePath;
            if (path is not null && path != thisPath)
            {
                throw new AgentException(ExitCodes.BadConfiguration, null, "--metrics-urls", "all URLs must have the same path");
            }

            path = thisPath;
            listen.Add($"http://{url.Authority}");
        }

        if (path is null)
        {
            throw new AgentException(ExitCodes.BadConfiguration, null, "--metrics-urls", "no URL given");
        }

        return ([.. listen], path);
    }

    public static async Task<MetricsEndpoint> StartAsync(string urls, ILoggerProvider logs, CancellationToken cancellationToken)
    {
        var (listen, path) = ParseUrls(urls);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingProvider(logs));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(listen);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("VideoStreams.Producer", AgentMetrics.MeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint(path);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            await app.DisposeAsync();
            throw new AgentException(ExitCodes.BadConfiguration, null, "--metrics-urls", $"cannot listen on {string.Join(", ", listen)}: {e.Message}");
        }

        return new MetricsEndpoint(app, [.. app.Urls.Select(u => new Uri(new Uri(u), path))]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // The web app disposes its logging providers; the agent's provider must outlive it.
    private sealed class ForwardingProvider(ILoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
