using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace VideoStreams.Storage.Streams;

/// <summary>
/// The KVS shape rules (KVS-API.md §1.5). Each check returns null when the value is valid, else the message for an
/// InvalidArgument (or InvalidResourceFormat) result. Patterns are ASCII-only where the AWS model's Java regexes are
/// (Java's \w and \d do not match other scripts, .NET's do).
/// </summary>
internal static partial class StreamValidation
{
    public const int MaxNameLength = 256;
    public const int MaxArnLength = 1024;
    public const int MaxDeviceNameLength = 128;
    public const int MaxMediaTypeLength = 128;
    public const int MaxKmsKeyIdLength = 2048;
    public const int MaxVersionLength = 64;
    public const int MaxRetentionHours = 87_600;
    public const int MaxTags = 50;
    public const int MaxTagKeyLength = 128;
    public const int MaxTagValueLength = 256;
    public const int MaxNextTokenLength = 1024;

    private static readonly SearchValues<char> LineBreaks = SearchValues.Create("\n\r\u0085\u2028\u2029");

    public static string? StreamName(string? value, string field = "StreamName") =>
        value is null or { Length: 0 or > MaxNameLength } || !NamePattern().IsMatch(value)
            ? $"{field} must be 1 to {MaxNameLength} characters of [a-zA-Z0-9_.-]{Got(value)}."
            : null;

    public static string? DeviceName(string? value) =>
        value is null or { Length: 0 or > MaxDeviceNameLength } || !NamePattern().IsMatch(value)
            ? $"DeviceName must be 1 to {MaxDeviceNameLength} characters of [a-zA-Z0-9_.-]{Got(value)}."
            : null;

    public static string? MediaType(string? value) =>
        value is null or { Length: 0 or > MaxMediaTypeLength } || !MediaTypePattern().IsMatch(value)
            ? $"MediaType must be 1 to {MaxMediaTypeLength} characters of comma-separated type/subtype pairs " +
              $"such as video/h264,audio/aac{Got(value)}."
            : null;

    public static string? KmsKeyId(string? value) =>
        value is null or { Length: 0 or > MaxKmsKeyIdLength } || value.AsSpan().IndexOfAny(LineBreaks) >= 0
            ? $"KmsKeyId must be 1 to {MaxKmsKeyIdLength} characters with no line break."
            : null;

    public static string? Version(string? value, string field = "CurrentVersion") =>
        value is null or { Length: 0 or > MaxVersionLength } || !VersionPattern().IsMatch(value)
            ? $"{field} must be 1 to {MaxVersionLength} characters of [a-zA-Z0-9]{Got(value)}."
            : null;

    public static string? Retention(long hours, string field = "DataRetentionInHours") =>
        hours is < 0 or > MaxRetentionHours
            ? $"{field} must be 0 (keep nothing) or 1 to {MaxRetentionHours} hours; got {hours}."
            : null;

    public static string? Arn(string? value, string field = "StreamARN") =>
        value is null or { Length: 0 or > MaxArnLength } || !ArnPattern().IsMatch(value)
            ? $"{field} must look like arn:aws:kinesisvideo:<region>:<account>:stream/<name>/<creation time>{Got(value)}."
            : null;

    public static string? TagKey(string? key) =>
        key is null || CodePoints(key) is 0 or > MaxTagKeyLength || !IsTagText(key)
            ? $"Tag keys must be 1 to {MaxTagKeyLength} letters, digits, spaces or _.:/=+-@{Got(key)}."
            : null;

    public static string? TagValue(string key, string? value) =>
        value is null || CodePoints(value) > MaxTagValueLength || !IsTagText(value)
            ? $"The value of tag '{key}' must be 0 to {MaxTagValueLength} letters, digits, spaces or _.:/=+-@."
            : null;

    // [\p{L}\p{Z}\p{N}_.:/=+\-@], judged per code point so letters outside the BMP count as one letter, not two
    // surrogates.
    private static bool IsTagText(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            var ok = Rune.GetUnicodeCategory(rune) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
                UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
                _ => rune.Value is '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@',
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Got(string? value) => value is null
        ? "; it is missing"
        : value.Length > 64 ? $"; got {value.Length} characters" : $"; got '{value}'";

    [GeneratedRegex(@"\A[a-zA-Z0-9_.\-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"\A[a-zA-Z0-9_\-.+]+/[a-zA-Z0-9_\-.+]+(,[a-zA-Z0-9_\-.+]+/[a-zA-Z0-9_\-.+]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypePattern();

    [GeneratedRegex(@"\Aarn:[a-z0-9\-]+:kinesisvideo:[a-z0-9\-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.\-]+/[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArnPattern();
}
