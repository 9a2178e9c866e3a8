using Microsoft.Extensions.FileProviders;

namespace VideoStreams.Server.Web;

/// <summary>
/// The web console at /console/: a page that lists the streams and plays one over HLS with hls.js, using the same KVS
/// API any client uses. The files sit in console/ next to the server (copied there by the build); / leads to it.
/// </summary>
internal static class ConsoleEndpoints
{
    public static WebApplication MapConsole(this WebApplication app)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "console");
        if (!Directory.Exists(folder))
        {
            return app;
        }

        var files = new PhysicalFileProvider(folder);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = "/console" });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = "/console" });
        app.MapGet("/", context =>
        {
            context.Response.Redirect("/console/");
            return Task.CompletedTask;
        });
        return app;
    }
}
