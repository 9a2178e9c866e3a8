using VideoStreams.Storage;
using VideoStreams.Storage.Encryption;

namespace VideoStreams.Server;

/// <summary>
/// <c>dotnet run --project src/VideoStreams.Server -- --urls http://127.0.0.1:5080 --data ./data</c>. Stops gracefully
/// on Ctrl+C or SIGTERM: requests in flight finish, then the store makes its last commit.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = ServerApp.Build(args);
        }
        catch (Exception e) when (e is ServerConfigurationException or MasterKeyUnavailableException or CorruptSegmentException or FormatException)
        {
            // Expected start-up failures get one line, not a stack trace: the operator fixes a setting or a key.
            await Console.Error.WriteLineAsync($"videostreams: {e.Message}");
            return 2;
        }

        await using (app)
        {
            await app.RunAsync();
        }

        return 0;
    }
}
