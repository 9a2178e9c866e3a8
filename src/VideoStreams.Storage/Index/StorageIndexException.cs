namespace VideoStreams.Storage.Index;

/// <summary>
/// The index database cannot be used as it is: a newer schema, or SQLite refused a setting durability relies on.
/// Not an expected outcome of a request; it stops the store from opening.
/// </summary>
public sealed class StorageIndexException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageIndexException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StorageIndexException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StorageIndexException()
    {
    }
}
