using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace VideoStreams.Server.Kvs;

/// <summary>
/// The KVS request conventions: response headers every answer carries, and JSON bodies read with a size limit into
/// source-generated input types, where every way a body can be wrong becomes a message naming the field.
/// </summary>
internal static class KvsRequest
{
    public const string RequestIdHeader = "x-amzn-RequestId";
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    /// <summary>
    /// Middleware: <c>x-amzn-RequestId</c> on every response (the SDK reports it as $metadata.requestId). It is the
    /// connection-unique TraceIdentifier, the same id ASP.NET puts in the RequestId scope of every log line of the
    /// request, so a client's request id finds the server's logs. Kestrel adds <c>Date</c> (the SDK corrects clock
    /// skew with it).
    /// </summary>
    public static Task StampResponse(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;
        return next(context);
    }

    /// <summary>Reads the body (at most <paramref name="limit"/> bytes) as one JSON object of type T.</summary>
    /// <returns>The value, or null and why the body is not acceptable.</returns>
    public static async Task<(T? Value, string? Problem)> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type, int limit, CancellationToken cancel)
        where T : class
    {
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit, request.ContentLength.Value));
        }

        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancel);
            var buffer = read.Buffer;
            if (buffer.Length > limit)
            {
                // Stop reading: the response asks the client to close the connection instead of sending the rest.
                reader.AdvanceTo(buffer.Start, buffer.End);
                return (null, TooLarge(limit, null));
            }

            if (read.IsCompleted)
            {
                try
                {
                    return Parse(buffer, type);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>True when the problem is an oversized body (the connection is then closed after the answer).</summary>
    public static bool IsTooLarge(string problem) => problem.StartsWith(TooLargePrefix, StringComparison.Ordinal);

    private const string TooLargePrefix = "The request body is larger than";

    private static string TooLarge(int limit, long? length) =>
        $"{TooLargePrefix} {limit} bytes" + (length is { } n ? $" ({n} bytes)." : ".");

    internal static (T? Value, string? Problem) Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        // The SDKs send {} for empty input; a bare POST with no body means the same.
        var reader = new Utf8JsonReader(body.IsEmpty ? new ReadOnlySequence<byte>("{}"u8.ToArray()) : body);
        try
        {
            var value = JsonSerializer.Deserialize(ref reader, type);
            if (value is null)
            {
                return (null, NotAnObject);
            }

            return HasMore(ref reader) ? (null, "The request body must hold one JSON object and nothing after it.") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Describe(e, type));
        }
    }

    private static bool HasMore(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private const string NotAnObject = "The request body must be a JSON object.";

    /// <summary>Names the field a deserialisation error is about, and what the field must be.</summary>
    private static string Describe(JsonException e, JsonTypeInfo root)
    {
        // The serializer wraps the reader's own exception (a JsonException subclass) when the text is not JSON;
        // without one, the JSON is valid but of the wrong shape at e.Path.
        if (e.InnerException is JsonException)
        {
            return $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).";
        }

        var path = e.Path ?? "$";
        if (path == "$")
        {
            return NotAnObject;
        }

        var (field, expected) = Expected(path, root);
        return expected is null ? $"{field} has a value of the wrong type." : $"{field} must be {expected}.";
    }

    private static (string Field, string? Expected) Expected(string path, JsonTypeInfo root)
    {
        var field = "";
        var type = root;
        foreach (var name in Segments(path))
        {
            var property = type.Properties.FirstOrDefault(p => p.Name == name);
            if (property is null)
            {
                break;
            }

            field = field.Length == 0 ? name : $"{field}.{name}";
            var info = type.Options.GetTypeInfo(property.PropertyType);
            if (info.Kind != JsonTypeInfoKind.Object)
            {
                return (field, Kind(property.PropertyType));
            }

            type = info;
        }

        return (field.Length == 0 ? path : field, field.Length == 0 ? null : "an object");
    }

    private static IEnumerable<string> Segments(string path)
    {
        foreach (var part in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            yield return bracket < 0 ? part : part[..bracket];
            if (bracket >= 0)
            {
                yield break;
            }
        }
    }

    private static string Kind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(int))
        {
            return "a whole number from -2147483648 to 2147483647";
        }

        if (type == typeof(long))
        {
            return "a whole number";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (typeof(IDictionary<string, string>).IsAssignableFrom(type))
        {
            return "an object whose values are strings";
        }

        return typeof(IEnumerable<string>).IsAssignableFrom(type) ? "an array of strings" : "an array of objects";
    }
}
