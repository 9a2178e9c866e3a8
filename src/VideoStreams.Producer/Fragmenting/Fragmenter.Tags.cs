using System.Text;
using VideoStreams.Media.Matroska;

namespace VideoStreams.Producer.Fragmenting;

public sealed partial class Fragmenter
{
    /// <summary>KVS: at most 10 metadata items per fragment (error 4009 beyond).</summary>
    public const int MaxTagsPerFragment = 10;

    /// <summary>KVS: a metadata name has at most 128 bytes.</summary>
    public const int MaxTagNameBytes = 128;

    /// <summary>KVS: a metadata value has at most 256 bytes.</summary>
    public const int MaxTagValueBytes = 256;

    private readonly List<KeyValuePair<string, string>> _persistentTags = [];
    private readonly List<KeyValuePair<string, string>> _oneShotTags = [];

    /// <summary>
    /// Adds a tag (fragment metadata, e.g. a GPS position or an event marker) to the fragment in progress, or to the
    /// next fragment when none is open. A persistent tag is repeated on every fragment until
    /// <see cref="RemovePersistentTag"/>, as the KVS SDK's <c>putFragmentMetadata(persistent)</c>. Limits are KVS's:
    /// 10 tags per fragment, name ≤ 128 and value ≤ 256 UTF-8 bytes, no name starting with <c>AWS</c>.
    /// </summary>
    /// <returns>What happened; anything but <see cref="FragmentTagStatus.Added"/> or <see cref="FragmentTagStatus.Replaced"/> leaves the tags unchanged.</returns>
    public FragmentTagStatus AddTag(string name, string value, bool persistent = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > MaxTagNameBytes)
        {
            return FragmentTagStatus.InvalidName;
        }

        if (name.StartsWith("AWS", StringComparison.Ordinal))
        {
            return FragmentTagStatus.ReservedName;
        }

        if (Encoding.UTF8.GetByteCount(value) > MaxTagValueBytes)
        {
            return FragmentTagStatus.ValueTooLong;
        }

        var list = persistent ? _persistentTags : _oneShotTags;
        var other = persistent ? _oneShotTags : _persistentTags;
        var index = IndexOf(list, name);
        if (index >= 0)
        {
            list[index] = new(name, value);
            return FragmentTagStatus.Replaced;
        }

        var otherIndex = IndexOf(other, name);
        if (otherIndex < 0 && _persistentTags.Count + _oneShotTags.Count >= MaxTagsPerFragment)
        {
            return FragmentTagStatus.TooManyTags;
        }

        if (otherIndex >= 0)
        {
            other.RemoveAt(otherIndex);
        }

        list.Add(new(name, value));
        return otherIndex >= 0 ? FragmentTagStatus.Replaced : FragmentTagStatus.Added;
    }

    /// <summary>Stops repeating a persistent tag. Returns false when there was none of that name.</summary>
    public bool RemovePersistentTag(string name)
    {
        var index = IndexOf(_persistentTags, name);
        if (index < 0)
        {
            return false;
        }

        _persistentTags.RemoveAt(index);
        return true;
    }

    private static int IndexOf(List<KeyValuePair<string, string>> tags, string name)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.Equals(tags[i].Key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The closing fragment's tags (one Tag of SimpleTags for the whole segment), or null; one-shot tags are consumed.</summary>
    private List<MatroskaTag>? TakeTags()
    {
        if (_persistentTags.Count + _oneShotTags.Count == 0)
        {
            return null;
        }

        var simple = new List<MatroskaSimpleTag>(_persistentTags.Count + _oneShotTags.Count);
        foreach (var (name, value) in _persistentTags)
        {
            simple.Add(new MatroskaSimpleTag(name, value));
        }

        foreach (var (name, value) in _oneShotTags)
        {
            simple.Add(new MatroskaSimpleTag(name, value));
        }

        _oneShotTags.Clear();
        return [new MatroskaTag([], simple)];
    }
}
