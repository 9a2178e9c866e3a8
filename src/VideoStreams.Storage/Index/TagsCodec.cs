using System.Text.Json;

namespace VideoStreams.Storage.Index;

/// <summary>A stream's tags as one JSON object column: tags are read and written with their stream, never queried.</summary>
internal static class TagsCodec
{
    public static string Encode(IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count == 0)
        {
            return "{}";
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static Dictionary<string, string> Decode(string json)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json is "{}" or "")
        {
            return tags;
        }

        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            tags[property.Name] = property.Value.GetString() ?? "";
        }

        return tags;
    }
}
