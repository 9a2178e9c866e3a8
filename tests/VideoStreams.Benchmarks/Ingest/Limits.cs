using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VideoStreams.Benchmarks.Ingest;

/// <summary>
/// The limits an ingest figure is judged against, measured in the same run: the disk (<c>dd oflag=direct</c> into
/// the server's data disk) and HTTP on loopback (real <c>curl</c> uploading the same bytes, chunked, to an endpoint
/// that reads and discards them). The discard endpoint is a minimal Kestrel inside the benchmark process (POST
/// /discard: read the body to the end, answer the byte count), not the product server, so that it costs no parsing,
/// no store and no acks: it is what the loopback and Kestrel's own body reading allow.
/// </summary>
internal sealed class DiscardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DiscardServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<DiscardServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
        });
        var app = builder.Build();
        app.MapPost("/discard", async (HttpContext http) =>
        {
            long total = 0;
            var body = http.Request.BodyReader;
            while (true)
            {
                var read = await body.ReadAsync(http.RequestAborted);
                total += read.Buffer.Length;
                body.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }

            await http.Response.WriteAsync(total.ToString(CultureInfo.InvariantCulture) + "\n", http.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DiscardServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/discard"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What curl did: the upload's wall time (curl's time_total: until the response ended) and bytes sent.</summary>
internal sealed record CurlResult(double Seconds, long BytesUploaded, int ExitCode, string Body)
{
    public double MegabytesPerSecond => BytesUploaded / 1e6 / Seconds;
}

internal static class Limits
{
    /// <summary><c>dd if=/dev/zero of=DIR/dd.bin bs=1M count=MB oflag=direct</c>: the disk's write MB/s (dd's own figure).</summary>
    public static double DdDirect(string folder, int megabytes = 2048)
    {
        var file = Path.Combine(folder, "dd.bin");
        Sync();
        var dd = Process.Start(new ProcessStartInfo("dd", ["if=/dev/zero", "of=" + file, "bs=1M", $"count={megabytes}", "oflag=direct"])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start dd");
        var report = dd.StandardError.ReadToEnd();
        dd.WaitForExit();
        File.Delete(file);
        Sync();
        // "2147483648 bytes (2.1 GB, 2.0 GiB) copied, 4.6 s, 466 MB/s": bytes over seconds, not dd's rounded unit.
        var last = report.Trim().Split('\n')[^1].Split(", ");
        var bytes = double.Parse(last[0].Split(' ')[0], CultureInfo.InvariantCulture);
        var seconds = double.Parse(last[^2].Split(' ')[0], CultureInfo.InvariantCulture);
        return bytes / 1e6 / seconds;
    }

    /// <summary>curl POSTs the file chunked (as a camera would, -T with Transfer-Encoding: chunked) and keeps the answer.</summary>
    public static async Task<CurlResult> CurlUploadAsync(string file, Uri url, IEnumerable<string> headers)
    {
        var answer = Path.GetTempFileName();
        List<string> args = ["-sS", "-X", "POST", "-T", file, "-H", "Transfer-Encoding: chunked", "-H", "Expect:", "-o", answer, "-w", "%{time_total} %{size_upload}"];
        foreach (var header in headers)
        {
            args.Add("-H");
            args.Add(header);
        }

        args.Add(url.ToString());
        using var curl = Process.Start(new ProcessStartInfo("curl", args) { UseShellExecute = false, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("could not start curl");
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var parts = output.Trim().Split(' ');
        var body = await File.ReadAllTextAsync(answer);
        File.Delete(answer);
        return new CurlResult(double.Parse(parts[0], CultureInfo.InvariantCulture), (long)double.Parse(parts[1], CultureInfo.InvariantCulture), curl.ExitCode, body);
    }

    public static void Sync()
    {
        using var sync = Process.Start("sync");
        sync.WaitForExit();
    }
}
