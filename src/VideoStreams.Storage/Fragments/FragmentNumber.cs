using System.Globalization;

namespace VideoStreams.Storage.Fragments;

/// <summary>
/// Fragment numbers as KVS clients see them: decimal strings of about 47 digits that compare as big integers
/// (KVS-API.md §1.5). Ours are a fixed prefix followed by the internal number zero-padded to 30 digits, so string order,
/// numeric order and ingestion order agree.
/// </summary>
public static class FragmentNumber
{
    private const string Prefix = "91343852333181432";
    private const int Digits = 30;

    /// <summary>The KVS form of an internal fragment number.</summary>
    public static string Format(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        return Prefix + number.ToString("D30", CultureInfo.InvariantCulture);
    }

    /// <summary>Parses the KVS form back; false for anything that is not one of ours (the API then says not found).</summary>
    public static bool TryParse(string? text, out long number)
    {
        number = 0;
        return text is not null
            && text.Length == Prefix.Length + Digits
            && text.StartsWith(Prefix, StringComparison.Ordinal)
            && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
