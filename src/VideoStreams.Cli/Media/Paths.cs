using Microsoft.Win32.SafeHandles;

namespace VideoStreams.Cli.Media;

/// <summary>
/// Input checks and output staging. Outputs are written beside their target under a <c>.partial</c> name and moved into
/// place when complete: a batch job never sees half an output, and a failed run leaves nothing behind (an earlier output
/// at the same place stays as it was).
/// </summary>
internal static class Paths
{
    public const string PartialSuffix = ".partial";

    /// <summary>Opens an input for one sequential read; a missing file or a folder is the user's error, said plainly.</summary>
    public static FileStream OpenInput(FileInfo path)
    {
        if (!File.Exists(path.FullName))
        {
            throw new CliException(CliErrors.BadInput, Directory.Exists(path.FullName) ? $"{path} is a folder, not a media file" : $"no such file: {path}");
        }

        return new(path.FullName, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.SequentialScan, BufferSize = 0 });
    }

    /// <summary>Opens an input for positioned reads, with the same plain errors as <see cref="OpenInput"/>.</summary>
    public static SafeFileHandle OpenInputHandle(FileInfo path)
    {
        OpenInput(path).Dispose();
        return File.OpenHandle(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
    }

    /// <summary>Throws unless a file can be created at <paramref name="target"/>: checked before any work is done.</summary>
    public static void CheckOutputFile(FileInfo target)
    {
        if (Directory.Exists(target.FullName))
        {
            throw new CliException(CliErrors.Failure, $"cannot write {target}: it is a folder");
        }

        var folder = target.DirectoryName!;
        if (!Directory.Exists(folder))
        {
            throw new CliException(CliErrors.Failure, File.Exists(folder) ? $"cannot write {target}: {folder} is a file, not a folder" : $"cannot write {target}: no such folder {folder}");
        }
    }

    /// <summary>Runs <paramref name="write"/> on a <c>.partial</c> path and moves the result onto <paramref name="target"/>.</summary>
    public static async Task<T> WriteFileAsync<T>(FileInfo target, Func<string, Task<T>> write)
    {
        CheckOutputFile(target);
        var temporary = target.FullName + PartialSuffix;
        try
        {
            var result = await write(temporary);
            File.Move(temporary, target.FullName, overwrite: true);
            return result;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on a <c>.partial</c> folder beside <paramref name="target"/>, then moves it into
    /// place. Missing parent folders are created, and removed again when the run fails. Into an existing folder, files
    /// matching <paramref name="ownedPatterns"/> that this run did not write are removed.
    /// </summary>
    public static async Task<T> WriteFolderAsync<T>(DirectoryInfo target, IReadOnlyList<string> ownedPatterns, Func<DirectoryInfo, Task<T>> write)
    {
        string? created = null;
        for (var dir = target; dir is not null && !Directory.Exists(dir.FullName); dir = dir.Parent)
        {
            if (File.Exists(dir.FullName))
            {
                throw new CliException(CliErrors.Failure, $"cannot write {target}: {dir.FullName} is a file, not a folder");
            }

            created = dir.FullName;
        }

        var stage = new DirectoryInfo(target.FullName + PartialSuffix);
        var done = false;
        try
        {
            if (stage.Exists)
            {
                // Left by a run that was killed.
                stage.Delete(recursive: true);
            }

            var result = await write(stage);
            Publish(stage, target, ownedPatterns);
            done = true;
            return result;
        }
        finally
        {
            if (Directory.Exists(stage.FullName))
            {
                Directory.Delete(stage.FullName, recursive: true);
            }

            if (!done && created is not null && Directory.Exists(created))
            {
                Directory.Delete(created, recursive: true);
            }
        }
    }

    private static void Publish(DirectoryInfo stage, DirectoryInfo target, IReadOnlyList<string> ownedPatterns)
    {
        if (!Directory.Exists(target.FullName))
        {
            Directory.Move(stage.FullName, target.FullName);
            return;
        }

        // Into an existing folder: media first, playlists last, so a player never reads a playlist ahead of its files;
        // then files an earlier, longer run left (by our own naming only), so the folder holds what the playlists name.
        var files = stage.GetFiles()
            .OrderBy(f => f.Extension.Equals(".m3u8", StringComparison.OrdinalIgnoreCase))
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var file in files)
        {
            file.MoveTo(Path.Combine(target.FullName, file.Name), overwrite: true);
        }

        var written = files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var pattern in ownedPatterns)
        {
            foreach (var stale in target.GetFiles(pattern).Where(f => !written.Contains(f.Name)))
            {
                stale.Delete();
            }
        }
    }
}
