using Microsoft.Extensions.Logging;

namespace VideoStreams.Storage.Encryption;

/// <summary>Encryption's log messages; event ids are stable (23xx).</summary>
internal static partial class EncryptionLog
{
    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Encryption at rest: {Action} the demo master key {Path} inside the data folder. A stolen disk carries its key with it: configure a master key outside the data disk for production")]
    public static partial void DemoMasterKey(ILogger logger, string action, string path);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "Data key {KeyId} started for stream {StreamId} (master key {MasterKeyId}, {Reason})")]
    public static partial void DataKeyStarted(ILogger logger, uint keyId, long streamId, string masterKeyId, string reason);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Error, Message = "Fragment {FragmentNumber} of stream {StreamId} did not open ({Kind}) at {File}@{Offset}: {Reason}")]
    public static partial void OpenFailed(ILogger logger, long fragmentNumber, long streamId, CorruptionKind kind, string file, long offset, string reason);
}
