// GetMediaForFragmentList (archived-media client) and GetMedia (media client) over the ingested stream: the MKV they
// return, parsed with the EBML walker, and the KVS tags of every chunk (KVS-API §3.2, §4).
import * as archived from "@aws-sdk/client-kinesis-video-archived-media";
import { GetMediaForFragmentListCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import * as mediaSdk from "@aws-sdk/client-kinesis-video-media";
import { GetMediaCommand } from "@aws-sdk/client-kinesis-video-media";
import {
  byNumber,
  continuationTokenPattern,
  expectFragmentTags,
  expectLayout,
  expectSourceCluster,
  expectSourceTracks,
  Tag,
  tagMillis,
} from "./chunks.mjs";
import { readFileSync } from "node:fs";
import { documents, MkvScanner, scanAll } from "./ebml.mjs";
import { check, CheckFailure, expect, expectEqual, expectError } from "./report.mjs";

/**
 * Reads GetMedia's payload until `want` chunks are complete, then aborts: GetMedia follows the live edge and never
 * ends by itself. A chunk is complete once its trailing Tags arrived (or the next chunk began). Gives up after
 * `seconds` and reports what it saw.
 */
export async function readGetMedia(client, input, want, seconds = 8) {
  const controller = new AbortController();
  const scanner = new MkvScanner();
  const complete = (docs) => docs.filter((d, i) => i < docs.length - 1 || (d.cluster && d.afterList.length > 0)).length;
  let docs = [];
  let ended = false;
  let timedOut = false;
  let out;
  // Armed before the call: the SDK's send() resolves only once the response headers arrive, which a server may hold
  // back until it has a chunk to send.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
    out?.Payload?.destroy?.();
  }, seconds * 1000);
  try {
    out = await client.send(new GetMediaCommand(input), { abortSignal: controller.signal });
    for await (const chunk of out.Payload) {
      scanner.push(chunk);
      docs = documents(scanner.items);
      if (complete(docs) >= want) {
        break; // ends the for-await, which destroys the response stream: the server sees the reader go away
      }
    }
    ended = complete(docs) < want;
  } catch (err) {
    if (!timedOut) {
      throw err;
    }
    if (!out) {
      throw new CheckFailure(`no response (not even its headers) within ${seconds} s`);
    }
  } finally {
    clearTimeout(timer);
    out?.Payload?.destroy?.();
  }
  if (complete(docs) < want) {
    const seen = docs.map((d) => `${d.before[Tag.fragmentNumber] ?? "?"}${d.cluster ? "" : " (no cluster)"}${d.afterList.length ? "" : " (no trailing Tags)"}`);
    throw new CheckFailure(`${ended ? "the response ended" : `still waiting after ${seconds} s`} with ${complete(docs)} of ${want} complete chunks `
      + `(seen: ${seen.join("; ") || "nothing"})`);
  }
  return { contentType: out.ContentType, requestId: out.$metadata?.requestId, docs: docs.slice(0, want) };
}

const requireFragments = (media) => {
  if (!media.fragments?.length) {
    throw new CheckFailure("skipped: ListFragments did not list the ingested fragments");
  }
  return media.fragments;
};

/** GetMedia's after-cluster tags: millis behind now (a non-negative integer) and a continuation token. */
function expectTrailingTags(doc, fragment, index) {
  const where = `chunk ${index + 1}`;
  const behind = doc.after[Tag.millisBehindNow];
  expect(typeof behind === "string" && /^[0-9]+$/.test(behind), `${where}: ${Tag.millisBehindNow} ${JSON.stringify(behind)} after the cluster is not a non-negative integer`);
  // However it is measured (from now, or from the stream's newest fragment), a chunk is no further behind than its age.
  const age = Date.now() - fragment.ServerTimestamp.getTime();
  expect(Number(behind) <= age + 1000, `${where}: ${Tag.millisBehindNow} ${behind} is more than the fragment's age (${age} ms)`);
  const token = doc.after[Tag.continuationToken];
  expect(typeof token === "string" && continuationTokenPattern.test(token),
    `${where}: ${Tag.continuationToken} ${JSON.stringify(token)} after the cluster is not 1-128 of [a-zA-Z0-9_.-]`);
}

export async function getMediaForFragmentListChecks(ctx) {
  const { media } = ctx;
  const client = media.forListClient;

  await check("GetMediaForFragmentList: fragments asked in reverse order come back as MKV chunks in that order, each tagged before its cluster", async () => {
    const listed = requireFragments(media);
    const asked = [...listed].reverse();
    const out = await client.send(new GetMediaForFragmentListCommand({ StreamName: media.name, Fragments: asked.map((f) => f.FragmentNumber) }));
    expect(out.ContentType, "no Content-Type on the response");
    expect(out.$metadata?.requestId, "no x-amzn-RequestId on the response");
    const docs = documents(scanAll(Buffer.from(await out.Payload.transformToByteArray())));
    expectEqual(docs.length, asked.length, "MKV documents in the body");
    for (const [i, doc] of docs.entries()) {
      expectLayout(doc, i, false);
      expectFragmentTags(doc, asked[i], i);
      expectSourceTracks(media, doc, i);
      expectSourceCluster(media, doc, asked[i], i);
    }
    return `${out.ContentType}; ${docs.map((d) => d.before[Tag.fragmentNumber].slice(-4)).join(" ")}`;
  });

  await check("GetMediaForFragmentList: a fragment number the stream lacks gets an error chunk, the others their media", async () => {
    const [first, ...rest] = requireFragments(media);
    const missing = `${BigInt(media.fragments.at(-1).FragmentNumber) + 1000n}`;
    const out = await client.send(new GetMediaForFragmentListCommand({
      StreamName: media.name, Fragments: [first.FragmentNumber, missing, ...rest.slice(0, 1).map((f) => f.FragmentNumber)],
    }));
    const docs = documents(scanAll(Buffer.from(await out.Payload.transformToByteArray())));
    expectEqual(docs.length, rest.length > 0 ? 3 : 2, "MKV documents in the body");
    expectFragmentTags(docs[0], first, 0);
    const failed = docs[1];
    expect(!failed.cluster, "chunk 2: the missing fragment has a cluster");
    expectEqual(failed.before[Tag.fragmentNumber], missing, `chunk 2: ${Tag.fragmentNumber}`);
    expect(/^[0-9]+$/.test(failed.before[Tag.exceptionErrorCode] ?? ""),
      `chunk 2: ${Tag.exceptionErrorCode} ${JSON.stringify(failed.before[Tag.exceptionErrorCode])} is not an integer`);
    expect(failed.before[Tag.exceptionMessage], `chunk 2: no ${Tag.exceptionMessage}`);
    if (rest.length > 0) {
      expectFragmentTags(docs[2], rest[0], 2);
    }
    return `error code ${failed.before[Tag.exceptionErrorCode]}: ${failed.before[Tag.exceptionMessage]}`;
  });

  await check("GetMediaForFragmentList: by StreamARN serves the same fragment", async () => {
    const [first] = requireFragments(media);
    expect(media.arn, "skipped: DescribeStream gave no StreamARN");
    const out = await client.send(new GetMediaForFragmentListCommand({ StreamARN: media.arn, Fragments: [first.FragmentNumber] }));
    const docs = documents(scanAll(Buffer.from(await out.Payload.transformToByteArray())));
    expectEqual(docs.length, 1, "MKV documents in the body");
    expectLayout(docs[0], 0, false);
    expectFragmentTags(docs[0], first, 0);
    return media.arn;
  });

  await check("GetMediaForFragmentList: an empty Fragments list is InvalidArgumentException", async () =>
    expectError(client.send(new GetMediaForFragmentListCommand({ StreamName: media.name, Fragments: [] })),
      "InvalidArgumentException", 400, archived));

  await check("GetMediaForFragmentList: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new GetMediaForFragmentListCommand({ StreamName: `${ctx.run}-missing`, Fragments: ["1"] })),
      "ResourceNotFoundException", 404, archived));
}

export async function getMediaChecks(ctx) {
  const { media } = ctx;
  const client = media.getMediaClient;

  await check("GetMedia: EARLIEST streams every fragment in number order, tagged before and after each cluster", async () => {
    const listed = requireFragments(media);
    const { contentType, requestId, docs } = await readGetMedia(client, { StreamName: media.name, StartSelector: { StartSelectorType: "EARLIEST" } }, listed.length);
    expect(contentType, "no Content-Type on the response");
    expect(requestId, "no x-amzn-RequestId on the response");
    // Kept before any check below can fail, so the CONTINUATION_TOKEN check reports on its own.
    media.tokens = new Map(docs.map((d) => [d.before[Tag.fragmentNumber], d.after[Tag.continuationToken]]));
    for (const [i, doc] of docs.entries()) {
      expectLayout(doc, i, true);
      expectFragmentTags(doc, listed[i], i);
      expectSourceTracks(media, doc, i);
      expectSourceCluster(media, doc, listed[i], i);
      expectTrailingTags(doc, listed[i], i);
    }
    return `${contentType}; ${docs.map((d) => `${d.before[Tag.fragmentNumber].slice(-4)} behind ${d.after[Tag.millisBehindNow]} ms token ${d.after[Tag.continuationToken]}`).join("; ")}`;
  });

  const startsWith = async (selector, expected, what, ref = { StreamName: media.name }) => {
    const { docs } = await readGetMedia(client, { ...ref, StartSelector: selector }, 1);
    expectLayout(docs[0], 0, true);
    expectEqual(docs[0].before[Tag.fragmentNumber], expected.FragmentNumber, `first chunk's ${Tag.fragmentNumber} (${what})`);
    expectFragmentTags(docs[0], expected, 0);
    return `starts at ${expected.FragmentNumber}`;
  };

  await check("GetMedia: FRAGMENT_NUMBER starts with the chunk after AfterFragmentNumber (stream by ARN)", async () => {
    const listed = requireFragments(media);
    expect(listed.length >= 2, "skipped: needs two fragments");
    expect(media.arn, "skipped: DescribeStream gave no StreamARN");
    return startsWith({ StartSelectorType: "FRAGMENT_NUMBER", AfterFragmentNumber: listed[0].FragmentNumber }, listed[1],
      `after ${listed[0].FragmentNumber}`, { StreamARN: media.arn });
  });

  await check("GetMedia: CONTINUATION_TOKEN from a chunk resumes with the next fragment", async () => {
    const listed = requireFragments(media);
    expect(listed.length >= 2, "skipped: needs two fragments");
    const token = media.tokens?.get(listed[0].FragmentNumber);
    expect(token, "skipped: the EARLIEST read gave no continuation token");
    return startsWith({ StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: token }, listed[1], `token ${token}`);
  });

  await check("GetMedia: PRODUCER_TIMESTAMP inside a fragment starts with that fragment", async () => {
    const listed = requireFragments(media);
    expect(listed.length >= 2, "skipped: needs two fragments");
    const target = listed[1];
    // Halfway into the fragment, and before the next one starts (fragments may overlap by a frame or two).
    const start = target.ProducerTimestamp.getTime();
    const span = Math.min(target.FragmentLengthInMilliseconds, (listed[2]?.ProducerTimestamp.getTime() ?? Infinity) - start);
    const inside = new Date(start + Math.floor(span / 2));
    return startsWith({ StartSelectorType: "PRODUCER_TIMESTAMP", StartTimestamp: inside }, target, `at ${inside.toISOString()}`);
  });

  await check("GetMedia: SERVER_TIMESTAMP at a fragment's server timestamp starts with that fragment", async () => {
    const listed = requireFragments(media);
    // The newest fragment whose server timestamp is unique among the listed ones (a burst can share a millisecond).
    const target = [...listed].reverse().find((f) => listed.filter((g) => g.ServerTimestamp.getTime() === f.ServerTimestamp.getTime()).length === 1);
    expect(target, "skipped: every fragment shares its server timestamp with another");
    return startsWith({ StartSelectorType: "SERVER_TIMESTAMP", StartTimestamp: target.ServerTimestamp }, target,
      `at ${target.ServerTimestamp.toISOString()}`);
  });

  await check("GetMedia: NOW starts with the newest fragment", async () => {
    const listed = requireFragments(media);
    return startsWith({ StartSelectorType: "NOW" }, listed.at(-1), "NOW");
  });

  await liveEdgeCheck(ctx);

  await check("GetMedia: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new GetMediaCommand({ StreamName: `${ctx.run}-missing`, StartSelector: { StartSelectorType: "EARLIEST" } })),
      "ResourceNotFoundException", 404, mediaSdk));

  await check("GetMedia: FRAGMENT_NUMBER without AfterFragmentNumber is InvalidArgumentException", async () =>
    expectError(client.send(new GetMediaCommand({ StreamName: media.name, StartSelector: { StartSelectorType: "FRAGMENT_NUMBER" } })),
      "InvalidArgumentException", 400, mediaSdk));
}

/**
 * GetMedia follows the live edge: a reader that resumes after the newest fragment waits, and gets the fragments a
 * PutMedia sends meanwhile. The harness sends --media-file again (PutMedia is not in the JS SDK: plain HTTP, as a
 * producer does), a minute after the newest fragment so it is new media, not a resend. Runs last among the checks
 * that read the ingested fragments: it adds fragments to the stream.
 */
async function liveEdgeCheck(ctx) {
  const { media, options } = ctx;
  await check("GetMedia: a reader waiting at the live edge gets the fragments PutMedia sends meanwhile", async () => {
    const listed = requireFragments(media);
    expect(media.sourceClusters?.length, "skipped: needs --media-file");
    const last = listed.at(-1);
    const token = media.tokens?.get(last.FragmentNumber);
    expect(token, "skipped: the EARLIEST read gave no continuation token for the newest fragment");
    const want = media.sourceClusters.length;
    // Not awaited yet: the server may hold the response headers until there is something to send.
    const reading = readGetMedia(media.getMediaClient,
      { StreamName: media.name, StartSelector: { StartSelectorType: "CONTINUATION_TOKEN", ContinuationToken: token } }, want, 15);
    reading.catch(() => {}); // reported below
    // A minute after the newest fragment: later than anything in the stream, also when the harness runs again on it.
    const producerStart = Math.ceil(last.ProducerTimestamp.getTime() / 1000) + 60;
    const acks = await putMedia(media, options, producerStart);
    // In number order: that is GetMedia's order (the acks themselves may come in another).
    const persisted = acks.filter((a) => a.EventType === "PERSISTED").map((a) => a.FragmentNumber).sort(byNumber);
    expect(acks.every((a) => a.EventType !== "ERROR") && persisted.length === want,
      `PutMedia (the harness's own) was not acked PERSISTED ${want} times: ${JSON.stringify(acks)}`);
    const { docs } = await reading;
    for (const [i, doc] of docs.entries()) {
      expectLayout(doc, i, true);
      expectEqual(doc.before[Tag.fragmentNumber], persisted[i], `chunk ${i + 1}: ${Tag.fragmentNumber} (PutMedia's fragments in number order)`);
      const producerMs = tagMillis(doc.before[Tag.producerTimestamp], `chunk ${i + 1}: ${Tag.producerTimestamp}`);
      expectEqual(producerMs, producerStart * 1000 + media.sourceClusters[i].timecode, `chunk ${i + 1}: producer time in ms`);
      expect(doc.cluster.bytes.equals(media.sourceClusters[i].bytes), `chunk ${i + 1}: the cluster is not the one sent`);
    }
    return docs.map((d) => `${d.before[Tag.fragmentNumber].slice(-4)} behind ${d.after[Tag.millisBehindNow]} ms`).join("; ");
  });
}

/** A RELATIVE PutMedia of --media-file at `producerStart` (epoch seconds); returns the acks. */
async function putMedia(media, options, producerStart) {
  const endpoint = media.endpoints?.PUT_MEDIA ?? options.dataEndpoint;
  const response = await fetch(new URL("putMedia", `${endpoint}/`), {
    method: "POST",
    headers: {
      "x-amzn-stream-name": media.name,
      "x-amzn-fragment-timecode-type": "RELATIVE",
      "x-amzn-producer-start-timestamp": producerStart.toFixed(3),
    },
    body: readFileSync(options.mediaFile),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  expect(response.status === 200, `PutMedia answered HTTP ${response.status}: ${text}`);
  return text.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
}
