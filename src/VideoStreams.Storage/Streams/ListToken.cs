using System.Text;

namespace VideoStreams.Storage.Streams;

/// <summary>
/// ListStreams' NextToken: the last name of the page, base64 (so it matches KVS's [a-zA-Z0-9+/=]*, at most 1024
/// characters: a 256-character name makes 344). Opaque to clients; resuming after a name never skips or repeats a
/// stream, even when streams are created or deleted between pages.
/// </summary>
internal static class ListToken
{
    private const string Prefix = "n1:";

    public static string Encode(string lastName) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + lastName));

    public static bool TryDecode(string token, out string? lastName)
    {
        lastName = null;
        if (token.Length > StreamValidation.MaxNextTokenLength)
        {
            return false;
        }

        var bytes = new byte[token.Length];
        if (!Convert.TryFromBase64String(token, bytes, out var written))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, written);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || StreamValidation.StreamName(text[Prefix.Length..]) is not null)
        {
            return false;
        }

        lastName = text[Prefix.Length..];
        return true;
    }
}
