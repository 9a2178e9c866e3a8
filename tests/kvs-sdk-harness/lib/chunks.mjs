// What a KVS media chunk must look like (KVS-API §3.2, §4): one complete MKV document per fragment, the KVS tags
// before the cluster naming the fragment and its timestamps, and (GetMedia only) the tags after it.
import { CheckFailure, expect, expectEqual } from "./report.mjs";

export const Tag = {
  fragmentNumber: "AWS_KINESISVIDEO_FRAGMENT_NUMBER",
  serverTimestamp: "AWS_KINESISVIDEO_SERVER_TIMESTAMP",
  producerTimestamp: "AWS_KINESISVIDEO_PRODUCER_TIMESTAMP",
  millisBehindNow: "AWS_KINESISVIDEO_MILLIS_BEHIND_NOW",
  continuationToken: "AWS_KINESISVIDEO_CONTINUATION_TOKEN",
  exceptionErrorCode: "AWS_KINESISVIDEO_EXCEPTION_ERROR_CODE",
  exceptionMessage: "AWS_KINESISVIDEO_EXCEPTION_MESSAGE",
};

// KVS-API §1.5: ContinuationToken is 1-128 of [a-zA-Z0-9_.-].
export const continuationTokenPattern = /^[a-zA-Z0-9_.-]{1,128}$/;

/** Fragment numbers compare as big integers (real ones have ~47 digits). */
export const byNumber = (a, b) => {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * A timestamp tag's value (epoch seconds as a decimal string, "1663277247.152") in milliseconds. KVS's parser reads
 * it as a double; rounding (not its ceil) keeps binary noise from moving the value by 1 ms.
 */
export function tagMillis(text, what) {
  expect(typeof text === "string" && /^[0-9]+(\.[0-9]+)?$/.test(text), `${what} ${JSON.stringify(text)} is not epoch seconds as a decimal string`);
  return Math.round(Number(text) * 1000);
}

// Elements a writer may add that say nothing about the layout.
const filler = new Set(["Void", "Crc32", "SeekHead", "Cues"]);

/**
 * Checks one document's element order: EBML, Segment, Info, Tracks, Tags, Cluster, then Tags when `trailingTags`
 * (GetMedia). Several Tags elements in a row count as one.
 */
export function expectLayout(doc, index, trailingTags) {
  const kinds = doc.kinds.filter((k) => !filler.has(k)).filter((k, i, all) => k !== "Tags" || all[i - 1] !== "Tags");
  const expected = ["EBML", "Segment", "Info", "Tracks", "Tags", "Cluster", ...(trailingTags ? ["Tags"] : [])];
  expectEqual(kinds.join(","), expected.join(","), `chunk ${index + 1}: top-level elements`);
  // A sized Segment must hold the whole chunk (trailing Tags included), or a player stops reading at its end.
  expect(doc.segment.unknownSize || doc.segment.end === doc.end,
    `chunk ${index + 1}: the Segment's size ends it at byte ${doc.segment.end}, but the chunk goes on to ${doc.end}`);
  expect(doc.tracks?.length > 0 && doc.tracks.every((t) => t.number > 0 && t.codecId),
    `chunk ${index + 1}: Tracks declares no usable track: ${JSON.stringify(doc.tracks)}`);
}

/**
 * Checks the tags before the cluster against the ListFragments entry of that fragment: the number, and both
 * timestamps to the millisecond.
 */
export function expectFragmentTags(doc, fragment, index) {
  const where = `chunk ${index + 1}`;
  expectEqual(doc.before[Tag.fragmentNumber], fragment.FragmentNumber, `${where}: ${Tag.fragmentNumber}`);
  for (const [tag, field] of [[Tag.serverTimestamp, "ServerTimestamp"], [Tag.producerTimestamp, "ProducerTimestamp"]]) {
    expect(tag in doc.before, `${where}: no ${tag} before the cluster (tags there: ${Object.keys(doc.before).join(", ")})`);
    const ms = tagMillis(doc.before[tag], `${where}: ${tag}`);
    expectEqual(ms, fragment[field].getTime(), `${where}: ${tag} in ms vs ListFragments ${field}`);
  }
}

/** The cluster must be the one the producer sent, byte for byte (when the harness was given the file). */
export function expectSourceCluster(media, doc, fragment, index) {
  const source = media.sourceFor?.(fragment.FragmentNumber);
  if (!source) {
    return;
  }
  if (!doc.cluster.bytes.equals(source.bytes)) {
    throw new CheckFailure(`chunk ${index + 1}: the cluster of fragment ${fragment.FragmentNumber} is not the one sent `
      + `(${doc.cluster.bytes.length} bytes, timecode ${doc.cluster.timecode}; sent ${source.bytes.length} bytes, timecode ${source.timecode})`);
  }
}

/** The tracks each chunk declares must be the sent file's (codec and number). */
export function expectSourceTracks(media, doc, index) {
  if (!media.sourceTracks) {
    return;
  }
  const show = (tracks) => tracks.map((t) => `${t.number}:${t.codecId}`).join(" ");
  expectEqual(show(doc.tracks), show(media.sourceTracks), `chunk ${index + 1}: tracks`);
}
