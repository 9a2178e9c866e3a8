using System.CommandLine;
using System.Diagnostics.Metrics;
using VideoStreams.Agent.Configuration;
using VideoStreams.Agent.Observability;
using VideoStreams.Agent.Runtime;

namespace VideoStreams.Agent;

/// <summary>
/// <c>vs-agent [--server URL] [--metrics-urls URL] [--log-level LEVEL] DEVICE.json|DIR ...</c>: loads and checks the
/// device definitions, runs every device until a stop is requested, and returns the exit code (0 after a graceful
/// stop, 2 bad configuration, 3 the server refused or could not be reached). Program wires it to the process
/// (stdout, stderr, SIGTERM/SIGINT); the tests call it in-process.
/// </summary>
internal static class AgentApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken stop, AgentHooks? hooks = null)
    {
        var server = new Option<string?>("--server") { Description = "Send every device to this server instead of its server.url (e.g. http://127.0.0.1:5080)." };
        var metrics = new Option<string?>("--metrics-urls") { Description = "Serve Prometheus metrics here (e.g. http://127.0.0.1:9581/metrics); off when not given." };
        var level = new Option<string>("--log-level")
        {
            Description = "trace, debug, information (default), warning, error, critical or none.",
            DefaultValueFactory = _ => "information",
        };
        level.AcceptOnlyFromAmong("trace", "debug", "information", "warning", "error", "critical", "none");
        var devices = new Argument<string[]>("devices")
        {
            Description = "Device definitions (JSON), or folders: every *.json in them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var root = new RootCommand("vs-agent — runs camera devices: capture, encode, fragment, spool, and upload to a VideoStreams (KVS PutMedia) server.")
        {
            server, metrics, level, devices,
        };
        root.SetAction((parse, _) => RunDevicesAsync(
            parse.GetValue(devices)!, parse.GetValue(server), parse.GetValue(metrics), Level(parse.GetValue(level)!), stdout, stderr, hooks ?? new AgentHooks(), stop));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"vs-agent: {parsed.Errors[0].Message.ReplaceLineEndings(" ")} (see vs-agent --help)");
            return ExitCodes.BadConfiguration;
        }

        return await parsed.InvokeAsync(
            new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
            stop);
    }

    private static async Task<int> RunDevicesAsync(
        string[] paths, string? serverText, string? metricsUrls, LogLevel level, TextWriter stdout, TextWriter stderr, AgentHooks hooks, CancellationToken stop)
    {
        var lines = new LineLoggerProvider(stdout, hooks.Time);
        await using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(lines).SetMinimumLevel(level))
            .AddMetrics()
            .BuildServiceProvider();
        var logs = services.GetRequiredService<ILoggerFactory>();
        var logger = logs.CreateLogger("VideoStreams.Agent");
        try
        {
            Uri? serverOverride = null;
            if (serverText is not null)
            {
                serverOverride = DeviceValidator.ParseServerUrl(serverText)
                    ?? throw new AgentException(ExitCodes.BadConfiguration, null, "--server", $"\"{serverText}\" is not an http:// or https:// URL");
            }

            var settings = DeviceLoader.Load(paths, serverOverride).Select(DevicePreflight.Check).ToList();

            await using var endpoint = metricsUrls is null ? null : await MetricsEndpoint.StartAsync(metricsUrls, lines, stop);
            if (endpoint is not null)
            {
                AgentLog.MetricsListening(logger, string.Join(", ", endpoint.Urls));
            }

            var meters = services.GetRequiredService<IMeterFactory>();
            return await RunAsync(settings, hooks, logs, meters, new AgentMetrics(meters), logger, stop);
        }
        catch (AgentException e)
        {
            AgentLog.Fatal(logger, e.OneLine());
            await stderr.WriteLineAsync(e.OneLine());
            return e.ExitCode;
        }
    }

    private static async Task<int> RunAsync(
        List<DeviceSettings> settings, AgentHooks hooks, ILoggerFactory logs, IMeterFactory meters, AgentMetrics metrics, ILogger logger, CancellationToken stop)
    {
        using var http = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var runners = new List<DeviceRunner>(settings.Count);
        try
        {
            foreach (var device in settings)
            {
                var runner = new DeviceRunner(device, hooks, logs, meters, metrics, http);
                runners.Add(runner);
                runner.Open();
            }

            // One device that cannot run stops them all: a bad definition should be seen at once, not hide in a fleet.
            using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stop);
            using var announce = stop.Register(() => AgentLog.StopRequested(logger, runners.Count));
            var running = runners.Select(r => r.RunAsync(stopAll.Token)).ToList();
            AgentException? first = null;
            while (running.Count > 0)
            {
                var done = await Task.WhenAny(running);
                running.Remove(done);
                if ((await done).Problem is { } problem && first is null)
                {
                    first = problem;
                    stopAll.CancelQuietly();
                }
            }

            if (first is not null)
            {
                throw first;
            }

            return ExitCodes.Ok;
        }
        finally
        {
            foreach (var runner in runners)
            {
                runner.Dispose();
            }

            AgentLog.Stopped(logger);
        }
    }

    private static LogLevel Level(string name) => name switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => LogLevel.Information,
    };
}
