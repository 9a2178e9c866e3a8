namespace VideoStreams.Storage.Streams;

public sealed partial class StreamCatalog
{
    /// <summary>
    /// TagStream: add tags, overwriting existing keys; at most 50 in total. Tags are not versioned in KVS (TagStream
    /// takes no CurrentVersion), so the stream's <see cref="StreamRecord.Version"/> stays as it is.
    /// </summary>
    public StorageResult<StreamRecord> TagStream(StreamRef stream, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return Invalid($"Tags must hold 1 to {StreamValidation.MaxTags} tags.");
        }

        if (tags.Count > StreamValidation.MaxTags)
        {
            return TooManyTags(tags.Count);
        }

        if (ValidateTags(tags) is { } badTag)
        {
            return Invalid(badTag);
        }

        lock (_gate)
        {
            var found = FindForChange(stream, currentVersion: null, malformedArn: StorageError.InvalidResourceFormat);
            if (!found.IsSuccess)
            {
                return found;
            }

            var merged = new Dictionary<string, string>(found.Value!.Tags, StringComparer.Ordinal);
            foreach (var (key, value) in tags)
            {
                merged[key] = value;
            }

            if (merged.Count > StreamValidation.MaxTags)
            {
                return TooManyTags(merged.Count);
            }

            var updated = found.Value with { Tags = merged };
            return Apply(updated) ?? updated;
        }
    }

    /// <summary>UntagStream: remove tags by key; keys the stream does not have are ignored.</summary>
    public StorageResult<StreamRecord> UntagStream(StreamRef stream, IReadOnlyList<string>? tagKeys)
    {
        if (tagKeys is null || tagKeys.Count is 0 or > StreamValidation.MaxTags)
        {
            return Invalid($"TagKeyList must hold 1 to {StreamValidation.MaxTags} keys.");
        }

        foreach (var key in tagKeys)
        {
            if (StreamValidation.TagKey(key) is { } badKey)
            {
                return Invalid(badKey);
            }
        }

        lock (_gate)
        {
            var found = FindForChange(stream, currentVersion: null, malformedArn: StorageError.InvalidResourceFormat);
            if (!found.IsSuccess)
            {
                return found;
            }

            var remaining = new Dictionary<string, string>(found.Value!.Tags, StringComparer.Ordinal);
            var removed = 0;
            foreach (var key in tagKeys)
            {
                removed += remaining.Remove(key) ? 1 : 0;
            }

            if (removed == 0)
            {
                return found;
            }

            var updated = found.Value with { Tags = remaining };
            return Apply(updated) ?? updated;
        }
    }

    /// <summary>ListTagsForStream: all of the stream's tags (at most 50, so always one page; a NextToken is ignored).</summary>
    public StorageResult<IReadOnlyDictionary<string, string>> ListTags(StreamRef stream)
    {
        var found = Find(stream, StorageError.InvalidResourceFormat);
        return found.IsSuccess
            ? StorageResult<IReadOnlyDictionary<string, string>>.Ok(found.Value!.Tags)
            : StorageResult<IReadOnlyDictionary<string, string>>.Fail(found.Error, found.Message!);
    }

    private static string? ValidateTags(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        foreach (var (key, value) in tags)
        {
            if ((StreamValidation.TagKey(key) ?? StreamValidation.TagValue(key, value)) is { } bad)
            {
                return bad;
            }
        }

        return null;
    }

    private static StorageResult<StreamRecord> TooManyTags(int count) =>
        StorageResult<StreamRecord>.Fail(StorageError.TagsPerResourceExceededLimit,
            $"A stream can have at most {StreamValidation.MaxTags} tags; this would make {count}.");
}
