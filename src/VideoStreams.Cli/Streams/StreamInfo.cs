using System.Globalization;
using System.Text.Json;
using VideoStreams.Cli.Remote;

namespace VideoStreams.Cli.Streams;

/// <summary>KVS's StreamInfo, read from an answer, and written in <c>vs</c>'s own JSON shape.</summary>
internal sealed record StreamInfo(string Name, string Arn, string Status, string Version, long CreatedMs, int RetentionHours,
    string? MediaType, string? DeviceName, string? KmsKeyId)
{
    public static StreamInfo From(JsonElement e) => new(
        e.GetProperty("StreamName").GetString()!,
        e.GetProperty("StreamARN").GetString()!,
        e.GetProperty(nameof(Status)).GetString()!,
        e.GetProperty(nameof(Version)).GetString()!,
        e.TryGetProperty("CreationTime", out var created) ? Times.FromKvs(created) : 0,
        e.TryGetProperty("DataRetentionInHours", out var hours) ? hours.GetInt32() : 0,
        Optional(e, "MediaType"),
        Optional(e, "DeviceName"),
        Optional(e, "KmsKeyId"));

    public string Retention => RetentionHours == 0 ? "none (live only)" : RetentionHours.ToString(CultureInfo.InvariantCulture) + " h";

    /// <summary><c>{name, arn, status, version, created, createdMs, retentionHours, mediaType, deviceName, kmsKeyId}</c>.</summary>
    public void Write(Utf8JsonWriter w, IReadOnlyDictionary<string, string>? tags = null)
    {
        w.WriteStartObject();
        w.WriteString("name", Name);
        w.WriteString("arn", Arn);
        w.WriteString("status", Status);
        w.WriteString("version", Version);
        w.WriteString("created", Times.Iso(CreatedMs));
        w.WriteNumber("createdMs", CreatedMs);
        w.WriteNumber("retentionHours", RetentionHours);
        w.WriteString("mediaType", MediaType);
        w.WriteString("deviceName", DeviceName);
        w.WriteString("kmsKeyId", KmsKeyId);
        if (tags is not null)
        {
            w.WritePropertyName("tags");
            WriteTags(w, tags);
        }

        w.WriteEndObject();
    }

    public static void WriteTags(Utf8JsonWriter w, IReadOnlyDictionary<string, string> tags)
    {
        w.WriteStartObject();
        foreach (var (key, value) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static string? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
