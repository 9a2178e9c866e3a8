using System.Globalization;

namespace VideoStreams.Storage.Log;

/// <summary>
/// Where things live in the data folder. Everything is named from internal numbers: a stream's name never reaches a
/// path. Fragments of all streams with the same retention share one log (a "class"), so a commit syncs one file per
/// class however many streams wrote, and retention still deletes whole files.
/// </summary>
internal static class LogLayout
{
    public const string IndexFile = "index.db";
    public const string LogsFolder = "logs";
    public const string ControlClass = "control";
    public const string ChunkSuffix = ".chunk";

    /// <summary>The log of fragments kept for <paramref name="retentionHours"/> hours.</summary>
    public static string ClassOf(int retentionHours) => string.Create(CultureInfo.InvariantCulture, $"h{retentionHours}");

    /// <summary>Retention hours of a fragment log class, or null for the control log or anything unknown.</summary>
    public static int? RetentionHoursOf(string logClass) =>
        logClass.Length > 1 && logClass[0] == 'h' && int.TryParse(logClass.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var hours) ? hours : null;

    public static string Directory(string logClass) => $"{LogsFolder}/{logClass}";

    public static string ChunkPath(string logClass, long chunkId) =>
        string.Create(CultureInfo.InvariantCulture, $"{LogsFolder}/{logClass}/{chunkId:D12}{ChunkSuffix}");

    public static long? ChunkIdOf(string fileName) =>
        fileName.EndsWith(ChunkSuffix, StringComparison.Ordinal)
        && long.TryParse(fileName.AsSpan(0, fileName.Length - ChunkSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
}
