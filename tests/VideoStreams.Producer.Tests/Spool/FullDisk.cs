using VideoStreams.Producer.Spool;

namespace VideoStreams.Producer.Tests.Spool;

/// <summary>
/// A disk that fills up: segment files are real, but a write that would take the folder's segment files past
/// <see cref="Capacity"/> writes what fits and then fails with ENOSPC, as a real full disk does.
/// </summary>
internal sealed class FullDisk(string folder, long capacity) : ISpoolFiles
{
    public long Capacity { get; set; } = capacity;

    public int Failures { get; private set; }

    public Stream Create(string path) =>
        new QuotaStream(this, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0));

    public long Used() => Directory.GetFiles(folder, "*.vspool").Sum(f => new FileInfo(f).Length);

    private sealed class QuotaStream(FullDisk disk, FileStream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override void Flush() => inner.Flush(flushToDisk: true);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var free = disk.Capacity - disk.Used();
            if (buffer.Length > free)
            {
                inner.Write(buffer[..(int)Math.Max(0, free)]);
                disk.Failures++;
                throw new IOException("No space left on device", 28);
            }

            inner.Write(buffer);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
