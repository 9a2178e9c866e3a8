namespace VideoStreams.Storage.Streams;

public sealed partial class StreamCatalog
{
    /// <summary>UpdateStream: change the device name and/or media type (null leaves a field as it is).</summary>
    public StorageResult<StreamRecord> UpdateStream(StreamRef stream, string? currentVersion, string? deviceName = null, string? mediaType = null)
    {
        var invalid = StreamValidation.Version(currentVersion)
            ?? (deviceName is null ? null : StreamValidation.DeviceName(deviceName))
            ?? (mediaType is null ? null : StreamValidation.MediaType(mediaType));
        if (invalid is not null)
        {
            return Invalid(invalid);
        }

        lock (_gate)
        {
            var found = FindForChange(stream, currentVersion);
            if (!found.IsSuccess)
            {
                return found;
            }

            var updated = found.Value! with
            {
                DeviceName = deviceName ?? found.Value!.DeviceName,
                MediaType = mediaType ?? found.Value!.MediaType,
                Version = NewVersion(),
            };
            return Apply(updated) ?? updated;
        }
    }

    /// <summary>UpdateDataRetention: add or subtract hours; the result must stay within 0–87600.</summary>
    /// <remarks>
    /// The catalog only records the new period. Applying it (a decrease deletes data older than the new period at
    /// once; 0 stops persisting) is the store's job, which it learns of through the journal.
    /// </remarks>
    public StorageResult<StreamRecord> UpdateDataRetention(StreamRef stream, string? currentVersion,
        DataRetentionOperation operation, int dataRetentionChangeInHours)
    {
        if (StreamValidation.Version(currentVersion) is { } badVersion)
        {
            return Invalid(badVersion);
        }

        if (!Enum.IsDefined(operation))
        {
            return Invalid("Operation must be INCREASE_DATA_RETENTION or DECREASE_DATA_RETENTION.");
        }

        if (dataRetentionChangeInHours < 1)
        {
            return Invalid($"DataRetentionChangeInHours must be at least 1; got {dataRetentionChangeInHours}.");
        }

        lock (_gate)
        {
            var found = FindForChange(stream, currentVersion);
            if (!found.IsSuccess)
            {
                return found;
            }

            var old = found.Value!.DataRetentionInHours;
            var hours = operation == DataRetentionOperation.IncreaseDataRetention
                ? (long)old + dataRetentionChangeInHours
                : (long)old - dataRetentionChangeInHours;
            if (StreamValidation.Retention(hours, "The new retention period") is { } outOfRange)
            {
                return Invalid($"{outOfRange} ({old} h {(operation == DataRetentionOperation.IncreaseDataRetention ? "+" : "-")} {dataRetentionChangeInHours} h)");
            }

            var updated = found.Value! with { DataRetentionInHours = (int)hours, Version = NewVersion() };
            if (Apply(updated) is { } failed)
            {
                return failed;
            }

            Log.RetentionChanged(_logger, updated.Name, old, updated.DataRetentionInHours);
            return updated;
        }
    }

    /// <summary>
    /// DeleteStream: by ARN only. The stream is journaled as DELETING, then deleted: its rows leave the index and it
    /// is ResourceNotFound from then on. Returns its last state (status <see cref="StreamStatus.Deleting"/>).
    /// </summary>
    /// <param name="streamArn">The stream's ARN (KVS has no name form of DeleteStream).</param>
    /// <param name="currentVersion">If given, must be the stream's version; if not, the ARN (its creation time) is the check.</param>
    public StorageResult<StreamRecord> Delete(string? streamArn, string? currentVersion = null)
    {
        if (string.IsNullOrEmpty(streamArn))
        {
            return Invalid("StreamARN must be specified.");
        }

        if (currentVersion is not null && StreamValidation.Version(currentVersion) is { } badVersion)
        {
            return Invalid(badVersion);
        }

        lock (_gate)
        {
            var found = FindForChange(StreamRef.ByArn(streamArn), currentVersion, deleting: true);
            if (!found.IsSuccess)
            {
                return found;
            }

            var deleting = found.Value!;
            if (deleting.Status != StreamStatus.Deleting)
            {
                deleting = deleting with { Status = StreamStatus.Deleting, Version = NewVersion() };
                if (Apply(deleting) is { } failed)
                {
                    return failed;
                }
            }

            try
            {
                _journal.WriteDeleted(deleting.Id);
            }
            catch (IOException e)
            {
                // The stream stays DELETING (readable by nobody, journaled as such): the store finishes the delete
                // when it replays the journal, and a retried DeleteStream finds it and finishes it now.
                return StorageResult<StreamRecord>.Fail(StorageError.IOError,
                    $"Stream {deleting.Name} is being deleted but the deletion could not be saved: {e.Message}");
            }

            _index.RemoveStream(deleting.Id);
            Log.Deleted(_logger, deleting.Name, deleting.Id);
            return deleting;
        }
    }

    /// <summary>
    /// Finds the stream for a change and checks its version. A DELETING stream (left so by a failed journal write)
    /// is busy for every change but the delete that finishes it.
    /// </summary>
    private StorageResult<StreamRecord> FindForChange(StreamRef stream, string? currentVersion, bool deleting = false,
        StorageError malformedArn = StorageError.InvalidArgument)
    {
        var found = Find(stream, malformedArn);
        if (!found.IsSuccess)
        {
            return found;
        }

        if (found.Value!.Status == StreamStatus.Deleting)
        {
            return deleting
                ? found
                : StorageResult<StreamRecord>.Fail(StorageError.ResourceInUse, $"The stream {found.Value.Name} is being deleted.");
        }

        if (currentVersion is not null && !string.Equals(found.Value!.Version, currentVersion, StringComparison.Ordinal))
        {
            return StorageResult<StreamRecord>.Fail(StorageError.VersionMismatch,
                $"The stream version is not {currentVersion}; describe the stream for its current version.");
        }

        return found;
    }
}
