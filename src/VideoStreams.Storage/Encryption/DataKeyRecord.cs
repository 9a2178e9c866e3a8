using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace VideoStreams.Storage.Encryption;

/// <summary>
/// A stream's data key as the control log keeps it: wrapped (AES-256-GCM) by the master key its stream's KmsKeyId
/// names. Body, little-endian: key id, stream id, creation time, nonce (12), tag (16), wrapped key (32), then the
/// master key id (length-prefixed UTF-8). The wrap authenticates key id, stream id, creation time and master key id,
/// so a wrapped key cannot be passed off as another stream's.
/// </summary>
internal sealed record DataKeyRecord(uint KeyId, long StreamId, long CreatedMs, string MasterKeyId, byte[] Nonce, byte[] Tag, byte[] WrappedKey)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int FixedSize = 4 + 8 + 8 + NonceSize + TagSize + MasterKeyRing.KeySize + 2;

    /// <summary>Wraps a fresh data key under a master key (random nonce: a master key wraps few keys).</summary>
    public static DataKeyRecord Wrap(uint keyId, long streamId, long createdMs, string masterKeyId, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> dataKey)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var tag = new byte[TagSize];
        var wrapped = new byte[MasterKeyRing.KeySize];
        using var gcm = new AesGcm(masterKey, TagSize);
        gcm.Encrypt(nonce, dataKey, wrapped, tag, AssociatedData(keyId, streamId, createdMs, masterKeyId));
        return new DataKeyRecord(keyId, streamId, createdMs, masterKeyId, nonce, tag, wrapped);
    }

    /// <summary>The data key.</summary>
    /// <exception cref="AuthenticationTagMismatchException">The wrong master key, or the record was altered.</exception>
    public byte[] Unwrap(ReadOnlySpan<byte> masterKey)
    {
        var key = new byte[MasterKeyRing.KeySize];
        using var gcm = new AesGcm(masterKey, TagSize);
        gcm.Decrypt(Nonce, WrappedKey, Tag, key, AssociatedData(KeyId, StreamId, CreatedMs, MasterKeyId));
        return key;
    }

    public byte[] ToBody()
    {
        var id = Encoding.UTF8.GetBytes(MasterKeyId);
        var body = new byte[FixedSize + id.Length];
        var span = body.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, KeyId);
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], StreamId);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], CreatedMs);
        Nonce.CopyTo(span[20..]);
        Tag.CopyTo(span[(20 + NonceSize)..]);
        WrappedKey.CopyTo(span[(20 + NonceSize + TagSize)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[(FixedSize - 2)..], checked((ushort)id.Length));
        id.CopyTo(span[FixedSize..]);
        return body;
    }

    /// <exception cref="InvalidDataException">The body is not a data key record.</exception>
    public static DataKeyRecord FromBody(ReadOnlySpan<byte> body)
    {
        if (body.Length < FixedSize || body.Length != FixedSize + BinaryPrimitives.ReadUInt16LittleEndian(body[(FixedSize - 2)..]))
        {
            throw new InvalidDataException("data key record of the wrong length");
        }

        return new DataKeyRecord(
            BinaryPrimitives.ReadUInt32LittleEndian(body),
            BinaryPrimitives.ReadInt64LittleEndian(body[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(body[12..]),
            Encoding.UTF8.GetString(body[FixedSize..]),
            body.Slice(20, NonceSize).ToArray(),
            body.Slice(20 + NonceSize, TagSize).ToArray(),
            body.Slice(20 + NonceSize + TagSize, MasterKeyRing.KeySize).ToArray());
    }

    private static byte[] AssociatedData(uint keyId, long streamId, long createdMs, string masterKeyId)
    {
        var id = Encoding.UTF8.GetBytes(masterKeyId);
        var aad = new byte[4 + 4 + 8 + 8 + id.Length];
        "VSDK"u8.CopyTo(aad);
        BinaryPrimitives.WriteUInt32LittleEndian(aad.AsSpan(4), keyId);
        BinaryPrimitives.WriteInt64LittleEndian(aad.AsSpan(8), streamId);
        BinaryPrimitives.WriteInt64LittleEndian(aad.AsSpan(16), createdMs);
        id.CopyTo(aad, 24);
        return aad;
    }
}
