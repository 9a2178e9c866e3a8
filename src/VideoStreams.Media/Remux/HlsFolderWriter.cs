using System.Buffers;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Win32.SafeHandles;
using VideoStreams.Media.Hls;
using VideoStreams.Media.IO;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Media.Remux;

/// <summary>
/// Writes CMAF output as an HLS VOD folder: <c>init-N.mp4</c> (a new one after each configuration change, behind an
/// EXT-X-DISCONTINUITY), <c>segment-NNNNN.m4s</c>, the media playlist <c>index.m3u8</c> and <c>master.m3u8</c>.
/// </summary>
public sealed class HlsFolderWriter(DirectoryInfo folder) : ICmafSegmentSink
{
    /// <summary>File name of the media playlist.</summary>
    public const string MediaPlaylist = "index.m3u8";

    /// <summary>File name of the multivariant playlist.</summary>
    public const string MultivariantPlaylist = "master.m3u8";

    private readonly List<HlsSegment> _segments = [];
    private readonly List<CmafInitSegment> _inits = [];
    // Set by Remux/RemuxAsync only: a writer used directly as a sink writes each file on the caller's thread.
    private BackgroundFiles? _files;
    private long _bytes;
    private double _seconds;

    /// <summary>Media segments written.</summary>
    public int Segments => _segments.Count;

    /// <summary>Init segments written.</summary>
    public int Inits => _inits.Count;

    /// <summary>Remuxes a Matroska file into <paramref name="folder"/> as fMP4 HLS VOD, reading it synchronously.</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static HlsFolderWriter Remux(SafeFileHandle matroska, DirectoryInfo folder, CmafSegmenterOptions? options = null)
    {
        folder.Create();
        var writer = new HlsFolderWriter(folder) { _files = new BackgroundFiles() };
        try
        {
            using (var segmenter = new CmafSegmenter(writer, options))
            {
                new MatroskaReader().ReadFile(matroska, segmenter.Handle);
                segmenter.Complete();
            }

            writer.WritePlaylists();
        }
        finally
        {
            writer._files.Stop();
        }

        return writer;
    }

    /// <summary>Remuxes a Matroska stream into <paramref name="folder"/> as fMP4 HLS VOD.</summary>
    /// <exception cref="MediaFormatException">The input is malformed, truncated, or has no H.264/AAC track.</exception>
    public static async Task<HlsFolderWriter> RemuxAsync(Stream matroska, DirectoryInfo folder, CmafSegmenterOptions? options = null, CancellationToken cancellationToken = default)
    {
        folder.Create();
        var writer = new HlsFolderWriter(folder) { _files = new BackgroundFiles() };
        try
        {
            using (var segmenter = new CmafSegmenter(writer, options))
            {
                await new MatroskaReader().ReadAsync(matroska, segmenter.Handle, cancellationToken).ConfigureAwait(false);
                segmenter.Complete();
            }

            writer.WritePlaylists();
        }
        finally
        {
            writer._files.Stop();
        }

        return writer;
    }

    /// <inheritdoc/>
    public void OnInitSegment(in CmafInitSegment init)
    {
        Write(InitName(init.Index), init.Bytes.Span);
        _inits.Add(init with { Bytes = default });
    }

    /// <inheritdoc/>
    public void OnMediaSegment(in CmafMediaSegment segment)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"segment-{segment.SequenceNumber:00000}.m4s");
        Write(name, segment.Bytes.Span);
        _bytes += segment.Bytes.Length;
        _seconds += segment.DurationSeconds;
        _segments.Add(new HlsSegment
        {
            Duration = segment.DurationSeconds,
            Uri = name,
            Discontinuity = segment.Discontinuity,
            Map = segment.Discontinuity ? new HlsMap(InitName(segment.InitIndex)) : null,
        });
    }

    /// <summary>Writes both playlists for what has been received (call once, after the segmenter completes).</summary>
    public void WritePlaylists()
    {
        // Every media file is on disk before a playlist lists it.
        _files?.Finish();
        var media = new HlsMediaPlaylist
        {
            PlaylistType = HlsPlaylistType.Vod,
            IndependentSegments = true,
            Map = new HlsMap(InitName(0)),
            Segments = _segments,
            EndList = true,
        };
        File.WriteAllText(Path.Combine(folder.FullName, MediaPlaylist), HlsPlaylistWriter.ToText(media));

        // The first configuration describes the variant; players adapt to later ones through the discontinuity's new map.
        var first = _inits.Count > 0 ? _inits[0] : default;
        var variant = new HlsVariantStream
        {
            Bandwidth = (long)Math.Ceiling(_seconds > 0 ? _bytes * 8 / _seconds * 1.2 : 1),
            Codecs = first.Codecs,
            Width = first.Width,
            Height = first.Height,
            Uri = MediaPlaylist,
        };
        var multivariant = new HlsMultivariantPlaylist { IndependentSegments = true, Variants = [variant] };
        File.WriteAllText(Path.Combine(folder.FullName, MultivariantPlaylist), HlsPlaylistWriter.ToText(multivariant));
    }

    private static string InitName(int index) => string.Create(CultureInfo.InvariantCulture, $"init-{index}.mp4");

    private void Write(string name, ReadOnlySpan<byte> bytes)
    {
        var path = Path.Combine(folder.FullName, name);
        if (_files is not null)
        {
            _files.Write(path, bytes);
            return;
        }

        WriteFile(path, bytes);
    }

    private static void WriteFile(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        file.Write(bytes);
    }

    /// <summary>
    /// Writes files on a thread of their own, so that parsing and packing the next segment overlaps the kernel's copy
    /// of this one into the page cache (on 2 cores about a third off a remux: the writes were half its time). A
    /// segment is copied once into a pooled buffer, since the segmenter reuses its own; at most two wait.
    /// </summary>
    private sealed class BackgroundFiles
    {
        private readonly HandoffQueue<(string Path, byte[] Buffer, int Length)> _queue = new(capacity: 2);
        private readonly Thread _thread;
        private Exception? _failure;

        public BackgroundFiles()
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "hls file writer" };
            _thread.Start();
        }

        public void Write(string path, ReadOnlySpan<byte> bytes)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
            bytes.CopyTo(buffer);
            if (!_queue.TryAdd((path, buffer, bytes.Length)))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                Finish(); // the writer stopped: throws its failure
                throw new InvalidOperationException("the file writer has stopped");
            }
        }

        /// <summary>Waits until every queued file is written; throws the first write failure.</summary>
        public void Finish()
        {
            Stop();
            if (_failure is not null)
            {
                ExceptionDispatchInfo.Throw(_failure);
            }
        }

        /// <summary>Lets the queued files be written and waits for the thread, without throwing (also on a failure path).</summary>
        public void Stop()
        {
            _queue.Complete();
            _thread.Join();
        }

        private void Run()
        {
            while (_queue.TryTake(out var item))
            {
                try
                {
                    if (_failure is null)
                    {
                        WriteFile(item.Path, item.Buffer.AsSpan(0, item.Length));
                    }
                }
                catch (Exception e)
                {
                    _failure = e;
                    _queue.Complete(); // the producer's next Write sees it
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(item.Buffer);
                }
            }
        }
    }
}
