using System.Text.Json;

namespace VideoStreams.Cli.Clips;

/// <summary>
/// <c>OUT.vsclip</c> beside a clip being downloaded: what was asked (as typed, and the query with the times resolved
/// then), the clip's ETag and size. While it exists, OUT is a prefix of that clip and the same command resumes it
/// (relative times like <c>-15m</c> keep meaning what they meant at the first run). Deleted once OUT is complete.
/// </summary>
internal sealed record ClipSidecar(string Request, string Query, string ETag, long Size)
{
    public static string PathFor(string output) => output + ".vsclip";

    public static ClipSidecar? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new ClipSidecar(root.GetProperty("request").GetString()!, root.GetProperty("query").GetString()!,
                root.GetProperty("etag").GetString()!, root.GetProperty("size").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // A damaged sidecar only costs a fresh download.
            return null;
        }
    }

    /// <summary>Written to a temporary file and renamed: a crash leaves the old sidecar or the new one, never half of one.</summary>
    public void Write(string path)
    {
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        using (var w = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteString("request", Request);
            w.WriteString("query", Query);
            w.WriteString("etag", ETag);
            w.WriteNumber("size", Size);
            w.WriteEndObject();
        }

        File.Move(temporary, path, overwrite: true);
    }
}
