// A minimal, incremental EBML/Matroska walker: just enough to read what KVS's GetMedia and GetMediaForFragmentList
// send (KVS-API §3.2, §4), i.e. a sequence of complete MKV documents (EBML header, Segment, Info, Tracks, Tags,
// Cluster, Tags), without decoding any media. It reports the top-level elements in order, the SimpleTag name/value
// pairs of each Tags element, the codecs of each Tracks element, and each Cluster's bytes and timecode.
//
// Feed it bytes as they arrive (`push`); it never needs the whole body, so it can read GetMedia's open-ended stream.

export const Ids = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Info: 0x1549a966,
  Tracks: 0x1654ae6b,
  Tags: 0x1254c367,
  Cluster: 0x1f43b675,
  Cues: 0x1c53bb6b,
  Void: 0xec,
  Crc32: 0xbf,
  // Inside Tags
  Tag: 0x7373,
  Targets: 0x63c0,
  SimpleTag: 0x67c8,
  TagName: 0x45a3,
  TagString: 0x4487,
  // Inside Tracks
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  CodecId: 0x86,
  // Inside Cluster
  Timecode: 0xe7,
};

const names = Object.fromEntries(Object.entries(Ids).map(([name, id]) => [id, name]));

// What may appear inside a Cluster: an unknown-size Cluster (the live layout) ends at the first element that is not
// one of these.
const clusterChildren = new Set([0xe7, 0xa3, 0xa0, 0xa7, 0xab, 0x5854, 0xaf, Ids.Crc32, Ids.Void]);

/** Thrown for bytes that cannot be EBML (a bad variable-length integer). */
export class EbmlError extends Error {}

/**
 * Reads a variable-length integer at `pos`. For an element ID the length marker is kept (IDs are written with it);
 * for a size it is removed, and all value bits set means "unknown size" (returned as -1).
 * Returns undefined when `buf` ends before the integer does.
 */
function readVint(buf, pos, isId) {
  if (pos >= buf.length) {
    return undefined;
  }
  const first = buf[pos];
  let length = 1;
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) {
    length++;
  }
  if (length > (isId ? 4 : 8)) {
    throw new EbmlError(`invalid ${isId ? "element ID" : "size"} byte 0x${first.toString(16)} at ${pos}`);
  }
  if (pos + length > buf.length) {
    return undefined;
  }
  let value = isId ? first : first & (0xff >> length);
  let allOnes = value === (0xff >> length);
  for (let i = 1; i < length; i++) {
    value = value * 256 + buf[pos + i];
    allOnes &&= buf[pos + i] === 0xff;
  }
  return { value: !isId && allOnes ? -1 : value, length };
}

/** An element header at `pos`: { id, size (-1 = unknown), dataStart }, or undefined when more bytes are needed. */
export function readHeader(buf, pos) {
  const id = readVint(buf, pos, true);
  if (!id) {
    return undefined;
  }
  const size = readVint(buf, pos + id.length, false);
  if (!size) {
    return undefined;
  }
  return { id: id.value, size: size.value, dataStart: pos + id.length + size.length };
}

/** The children of a sized master element's data, each as { id, data }. */
function* children(data) {
  let pos = 0;
  while (pos < data.length) {
    const h = readHeader(data, pos);
    if (!h || h.size < 0 || h.dataStart + h.size > data.length) {
      throw new EbmlError(`a child element at ${pos} runs past its parent (${data.length} bytes)`);
    }
    yield { id: h.id, data: data.subarray(h.dataStart, h.dataStart + h.size) };
    pos = h.dataStart + h.size;
  }
}

function readUint(data) {
  let value = 0;
  for (const byte of data) {
    value = value * 256 + byte;
  }
  return value;
}

/** The SimpleTag name/value pairs of a Tags element's data, in order (nested SimpleTags included). */
export function simpleTags(tagsData) {
  const out = [];
  const walkSimple = (data) => {
    let name;
    let value;
    const nested = [];
    for (const child of children(data)) {
      if (child.id === Ids.TagName) {
        name = child.data.toString("utf8");
      } else if (child.id === Ids.TagString) {
        value = child.data.toString("utf8");
      } else if (child.id === Ids.SimpleTag) {
        nested.push(child.data);
      }
    }
    out.push({ name, value });
    nested.forEach(walkSimple);
  };
  for (const tag of children(tagsData)) {
    if (tag.id !== Ids.Tag) {
      continue;
    }
    for (const child of children(tag.data)) {
      if (child.id === Ids.SimpleTag) {
        walkSimple(child.data);
      }
    }
  }
  return out;
}

/** The tracks of a Tracks element's data: [{ number, codecId }]. */
export function tracksOf(tracksData) {
  const tracks = [];
  for (const entry of children(tracksData)) {
    if (entry.id !== Ids.TrackEntry) {
      continue;
    }
    const track = {};
    for (const child of children(entry.data)) {
      if (child.id === Ids.TrackNumber) {
        track.number = readUint(child.data);
      } else if (child.id === Ids.CodecId) {
        track.codecId = child.data.toString("latin1").replace(/\0+$/, "");
      }
    }
    tracks.push(track);
  }
  return tracks;
}

/** A Cluster's timecode (its first Timecode child), from the cluster's data. */
function clusterTimecode(data) {
  let pos = 0;
  while (pos < data.length) {
    const h = readHeader(data, pos);
    if (!h || h.size < 0 || h.dataStart + h.size > data.length) {
      return undefined;
    }
    if (h.id === Ids.Timecode) {
      return readUint(data.subarray(h.dataStart, h.dataStart + h.size));
    }
    pos = h.dataStart + h.size;
  }
  return undefined;
}

/**
 * Incremental scanner. `items` grows as elements complete, each one of:
 *   { kind: "EBML" } | { kind: "Segment", unknownSize } | { kind: "Info" } | { kind: "Tracks", tracks }
 *   | { kind: "Tags", tags: [{ name, value }] } | { kind: "Cluster", bytes, timecode, unknownSize } | { kind: name|"0x…" }
 * each with `start` and `end`, its offsets in the whole body (a Segment's `end` only when it has a size).
 * Segments are walked into (KVS's are unknown-size and hold one chunk each); everything else is read whole.
 */
export class MkvScanner {
  items = [];
  #buf = Buffer.alloc(0);
  #pos = 0;
  #base = 0; // bytes consumed and dropped before #buf[0], so items carry offsets in the whole body
  #open; // an unknown-size Cluster still collecting children: { parts: Buffer[], header: Buffer }

  /** Adds bytes and scans every element they complete. */
  push(chunk) {
    this.#base += this.#pos;
    this.#buf = this.#pos < this.#buf.length ? Buffer.concat([this.#buf.subarray(this.#pos), chunk]) : Buffer.from(chunk);
    this.#pos = 0;
    this.#scan();
    return this;
  }

  /** The body ended: closes an open unknown-size Cluster. Returns the count of bytes left unparsed (0 when whole). */
  end() {
    this.#closeCluster();
    return this.#buf.length - this.#pos;
  }

  #closeCluster() {
    if (this.#open) {
      const bytes = Buffer.concat([this.#open.header, ...this.#open.parts]);
      const data = bytes.subarray(this.#open.header.length);
      const start = this.#open.start;
      this.items.push({ kind: "Cluster", bytes, timecode: clusterTimecode(data), unknownSize: true, start, end: start + bytes.length });
      this.#open = undefined;
    }
  }

  #scan() {
    const buf = this.#buf;
    for (;;) {
      const start = this.#pos;
      const h = readHeader(buf, start);
      if (!h) {
        return;
      }
      if (this.#open && !clusterChildren.has(h.id)) {
        this.#closeCluster();
      }
      const at = this.#base + start;
      if (h.id === Ids.Segment) {
        // Walked into, not read whole; a sized one says where it ends, which must be its document's end.
        const end = h.size < 0 ? undefined : this.#base + h.dataStart + h.size;
        this.items.push({ kind: "Segment", unknownSize: h.size < 0, start: at, end });
        this.#pos = h.dataStart;
        continue;
      }
      if (h.size < 0) {
        if (h.id !== Ids.Cluster) {
          throw new EbmlError(`unknown-size element ${names[h.id] ?? `0x${h.id.toString(16)}`} at ${start}`);
        }
        this.#open = { header: Buffer.from(buf.subarray(start, h.dataStart)), parts: [], start: at };
        this.#pos = h.dataStart;
        continue;
      }
      const end = h.dataStart + h.size;
      if (end > buf.length) {
        return; // need more bytes
      }
      const element = buf.subarray(start, end);
      const data = buf.subarray(h.dataStart, end);
      this.#pos = end;
      if (this.#open) {
        this.#open.parts.push(Buffer.from(element));
        continue;
      }
      const span = { start: at, end: this.#base + end };
      switch (h.id) {
        case Ids.EBML: this.items.push({ kind: "EBML", ...span }); break;
        case Ids.Info: this.items.push({ kind: "Info", ...span }); break;
        case Ids.Tracks: this.items.push({ kind: "Tracks", tracks: tracksOf(data), ...span }); break;
        case Ids.Tags: this.items.push({ kind: "Tags", tags: simpleTags(data), ...span }); break;
        case Ids.Cluster:
          this.items.push({ kind: "Cluster", bytes: Buffer.from(element), timecode: clusterTimecode(data), unknownSize: false, ...span });
          break;
        default: this.items.push({ kind: names[h.id] ?? `0x${h.id.toString(16)}`, ...span });
      }
    }
  }
}

/** Scans a whole body at once. Throws EbmlError when it does not end on an element boundary. */
export function scanAll(bytes) {
  const scanner = new MkvScanner().push(bytes);
  const left = scanner.end();
  if (left !== 0) {
    throw new EbmlError(`the body ends inside an element (${left} bytes left over)`);
  }
  return scanner.items;
}

/**
 * Groups scanned items into MKV documents (one per EBML header): { kinds, tracks, before, cluster, after, segment,
 * start, end }, where
 * `before` and `after` are the SimpleTags of the Tags elements before and after the Cluster (name → value maps;
 * `beforeList`/`afterList` keep the order and duplicates).
 */
export function documents(items) {
  const docs = [];
  let doc;
  for (const item of items) {
    if (item.kind === "EBML" || !doc) {
      doc = { kinds: [], tracks: undefined, beforeList: [], afterList: [], cluster: undefined, start: item.start, end: item.end };
      docs.push(doc);
    }
    doc.kinds.push(item.kind);
    doc.end = Math.max(doc.end, item.end ?? item.start);
    if (item.kind === "Segment") {
      doc.segment = item;
    }
    if (item.kind === "Tracks") {
      doc.tracks = item.tracks;
    } else if (item.kind === "Tags") {
      (doc.cluster ? doc.afterList : doc.beforeList).push(...item.tags);
    } else if (item.kind === "Cluster") {
      doc.cluster = item;
    }
  }
  for (const d of docs) {
    d.before = Object.fromEntries(d.beforeList.map((t) => [t.name, t.value]));
    d.after = Object.fromEntries(d.afterList.map((t) => [t.name, t.value]));
  }
  return docs;
}
