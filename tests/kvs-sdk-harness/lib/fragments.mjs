// The media suite's setup (GetDataEndpoint for the read APIs, then the media clients pointed at what it returned, as
// the real SDK flow goes) and ListFragments (KVS-API §4) over a stream holding media ingested before the run.
import * as archived from "@aws-sdk/client-kinesis-video-archived-media";
import { ListFragmentsCommand } from "@aws-sdk/client-kinesis-video-archived-media";
import { DescribeStreamCommand, GetDataEndpointCommand } from "@aws-sdk/client-kinesis-video";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { normalizeBaseUrl } from "./args.mjs";
import { byNumber } from "./chunks.mjs";
import { createArchivedMediaClient, createMediaClient } from "./client.mjs";
import { scanAll } from "./ebml.mjs";
import { check, CheckFailure, expect, expectEqual, expectError } from "./report.mjs";

const readApis = ["GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST", "PUT_MEDIA"];

// KVS's limits (KVS-API §5): a fragment is at most 10 s.
const maxFragmentMs = 10_000;

/**
 * GetDataEndpoint for each APIName, as real callers do before a data-plane call; each must be the expected base URL.
 * Returns { APIName: DataEndpoint }.
 */
export async function dataEndpoints(client, streamName, apiNames, expected) {
  const endpoints = {};
  for (const APIName of apiNames) {
    const { DataEndpoint } = await client.send(new GetDataEndpointCommand({ StreamName: streamName, APIName }));
    expect(typeof DataEndpoint === "string" && DataEndpoint.length > 0, `${APIName}: no DataEndpoint in the response`);
    expectEqual(normalizeBaseUrl(DataEndpoint), expected, `${APIName} DataEndpoint`);
    endpoints[APIName] = DataEndpoint;
  }
  return endpoints;
}

/** Builds ctx.media: the stream, the media clients, and what was sent (from --media-file). */
export async function mediaSetup(ctx) {
  const { options, client } = ctx;
  const media = { name: options.mediaStream, runStarted: Date.now() };
  ctx.media = media;

  if (options.mediaFile) {
    const items = scanAll(readFileSync(options.mediaFile));
    media.sourceClusters = items.filter((i) => i.kind === "Cluster");
    media.sourceTracks = items.find((i) => i.kind === "Tracks")?.tracks;
  }
  media.expectedCount = options.mediaFragments?.length ?? media.sourceClusters?.length;

  await check("GetDataEndpoint: GET_MEDIA, LIST_FRAGMENTS, GET_MEDIA_FOR_FRAGMENT_LIST and PUT_MEDIA of the ingested stream name the server", async () => {
    const endpoints = await dataEndpoints(client, media.name, readApis, options.dataEndpoint);
    media.endpoints = endpoints;
    // The read checks also address the stream by ARN (every read API takes StreamName or StreamARN).
    media.arn = (await client.send(new DescribeStreamCommand({ StreamName: media.name }))).StreamInfo?.StreamARN;
    return [...new Set(Object.values(endpoints))].join(", ");
  });

  // Even when GetDataEndpoint failed, the read checks run (against the expected endpoint) so they still report.
  const at = (api) => media.endpoints?.[api] ?? options.dataEndpoint;
  media.getMediaClient = createMediaClient(at("GET_MEDIA"), options);
  media.listClient = createArchivedMediaClient(at("LIST_FRAGMENTS"), options);
  media.forListClient = createArchivedMediaClient(at("GET_MEDIA_FOR_FRAGMENT_LIST"), options);
}

/** Every page of a ListFragments query: [{ fragments, nextToken }]. */
async function listPages(client, input, maxPages = 100) {
  const pages = [];
  let NextToken;
  do {
    // Later pages send only the stream, the token and MaxResults: the token carries the query (KVS-API §4).
    const { FragmentSelector, ...rest } = input;
    const out = await client.send(new ListFragmentsCommand(NextToken ? { ...rest, NextToken } : input));
    expect(Array.isArray(out.Fragments), `page ${pages.length + 1} has no Fragments array`);
    expect(!out.NextToken || out.NextToken !== NextToken, "the server returned the same NextToken twice");
    pages.push({ fragments: out.Fragments, nextToken: out.NextToken });
    NextToken = out.NextToken;
  } while (NextToken && pages.length < maxPages);
  expect(!NextToken, `still a NextToken after ${maxPages} pages`);
  return pages;
}

const range = (type, start, end) => ({
  FragmentSelector: { FragmentSelectorType: type, TimestampRange: { StartTimestamp: start, EndTimestamp: end } },
});

const show = (f) => `${f.FragmentNumber.slice(-4)}@${f.ProducerTimestamp.toISOString().slice(11, 23)}/${f.FragmentLengthInMilliseconds}ms/${f.FragmentSizeInBytes}B`;

const sortByNumber = (fragments) => [...fragments].sort((a, b) => byNumber(a.FragmentNumber, b.FragmentNumber));

/** Checks each fragment's fields and what they say together: numbers, timestamps, lengths and sizes. */
function expectFragments(media, fragments, options) {
  const numbers = fragments.map((f) => f.FragmentNumber);
  expect(new Set(numbers).size === numbers.length, `a fragment is listed twice: ${numbers.join(", ")}`);
  if (media.expectedCount !== undefined) {
    expectEqual(fragments.length, media.expectedCount, "fragments listed");
  }
  if (options.mediaFragments) {
    expectEqual([...numbers].sort(byNumber).join(","), [...options.mediaFragments].sort(byNumber).join(","),
      "fragment numbers listed vs acked PERSISTED");
  }
  const sorted = sortByNumber(fragments);
  for (const [i, f] of sorted.entries()) {
    const what = `fragment ${f.FragmentNumber}`;
    expect(/^[0-9]{1,128}$/.test(f.FragmentNumber), `${what}: FragmentNumber is not 1-128 digits`);
    expect(f.ProducerTimestamp instanceof Date && f.ServerTimestamp instanceof Date, `${what}: timestamps did not parse as dates`);
    expect(Number.isInteger(f.FragmentLengthInMilliseconds) && f.FragmentLengthInMilliseconds > 0 && f.FragmentLengthInMilliseconds <= maxFragmentMs,
      `${what}: FragmentLengthInMilliseconds ${f.FragmentLengthInMilliseconds} is not 1..${maxFragmentMs}`);
    expect(Number.isInteger(f.FragmentSizeInBytes) && f.FragmentSizeInBytes > 0, `${what}: FragmentSizeInBytes ${f.FragmentSizeInBytes}`);
    const server = f.ServerTimestamp.getTime();
    expect(server >= media.runStarted - 3_600_000 && server <= Date.now() + 1000,
      `${what}: ServerTimestamp ${f.ServerTimestamp.toISOString()} is not in the last hour`);
    const source = media.sourceClusters?.[i];
    if (source && options.producerStart !== undefined) {
      // A RELATIVE PutMedia: producer time = x-amzn-producer-start-timestamp + cluster timecode (ms timecode scale).
      expectEqual(f.ProducerTimestamp.getTime(), Math.round(options.producerStart * 1000) + source.timecode, `${what}: ProducerTimestamp in ms`);
    }
    if (source) {
      expect(Math.abs(f.FragmentSizeInBytes - source.bytes.length) <= 4096,
        `${what}: FragmentSizeInBytes ${f.FragmentSizeInBytes}, but the cluster sent was ${source.bytes.length} bytes`);
    }
    const next = sorted[i + 1];
    if (next) {
      expect(next.ProducerTimestamp > f.ProducerTimestamp, `${what}: the next fragment's ProducerTimestamp is not later`);
      expect(next.ServerTimestamp >= f.ServerTimestamp, `${what}: the next fragment's ServerTimestamp is earlier`);
      // Fragments of one continuous recording leave no hole: each lasts until (about) the next one starts.
      const gap = next.ProducerTimestamp.getTime() - (f.ProducerTimestamp.getTime() + f.FragmentLengthInMilliseconds);
      expect(gap <= 100, `${what}: lasts ${f.FragmentLengthInMilliseconds} ms, leaving ${gap} ms before the next fragment`);
    }
  }
  return sorted;
}

export async function listFragmentsChecks(ctx) {
  const { media, options } = ctx;
  const client = media.listClient;

  await check("ListFragments: a SERVER_TIMESTAMP range around the ingest lists every fragment with number, timestamps, length and size", async () => {
    const input = { StreamName: media.name, ...range("SERVER_TIMESTAMP", new Date(media.runStarted - 3_600_000), new Date(Date.now() + 60_000)) };
    // Eventually consistent (KVS-API §4): a fragment usually shows up within 1 s of PERSISTED.
    const deadline = Date.now() + 5_000;
    let fragments;
    for (;;) {
      fragments = (await listPages(client, input)).flatMap((p) => p.fragments);
      if (fragments.length >= (media.expectedCount ?? 1) || Date.now() > deadline) {
        break;
      }
      await sleep(200);
    }
    expect(fragments.length > 0, "no fragments listed: was media ingested into the stream before the run?");
    // The read checks go on from this listing even when a field below is wrong, so each reports on its own.
    media.fragments = sortByNumber(fragments);
    const sourceByNumber = new Map(media.fragments.map((f, i) => [f.FragmentNumber, media.sourceClusters?.[i]]));
    media.sourceFor = (number) => sourceByNumber.get(number);
    expectFragments(media, fragments, options);
    return media.fragments.map(show).join(", ");
  });

  const requireListed = () => {
    if (!media.fragments?.length) {
      throw new CheckFailure("skipped: the SERVER_TIMESTAMP listing failed");
    }
    return media.fragments;
  };

  await check("ListFragments: a PRODUCER_TIMESTAMP range (stream by ARN) lists the same fragments with the same fields", async () => {
    const listed = requireListed();
    const first = listed[0].ProducerTimestamp.getTime();
    const last = listed.at(-1).ProducerTimestamp.getTime();
    expect(media.arn, "skipped: DescribeStream gave no StreamARN");
    const fragments = (await listPages(client, {
      StreamARN: media.arn, ...range("PRODUCER_TIMESTAMP", new Date(first - 1000), new Date(last + 1000)),
    })).flatMap((p) => p.fragments);
    const sorted = expectFragments(media, fragments, options);
    const json = (list) => JSON.stringify(list.map((f) => [f.FragmentNumber, f.ProducerTimestamp, f.ServerTimestamp, f.FragmentLengthInMilliseconds, f.FragmentSizeInBytes]));
    expectEqual(json(sorted), json(listed), "fragments by producer time vs by server time");
    return `${sorted.length} fragments`;
  });

  await check("ListFragments: the range includes both ends (start = end = one fragment's producer timestamp)", async () => {
    const listed = requireListed();
    const target = listed[Math.min(1, listed.length - 1)];
    const at = target.ProducerTimestamp;
    const exact = (await listPages(client, { StreamName: media.name, ...range("PRODUCER_TIMESTAMP", at, at) })).flatMap((p) => p.fragments);
    expectEqual(exact.map((f) => f.FragmentNumber).join(","), target.FragmentNumber, `fragments starting exactly at ${at.toISOString()}`);
    const before = new Date(at.getTime() - 1);
    const none = (await listPages(client, {
      StreamName: media.name, ...range("PRODUCER_TIMESTAMP", new Date(before.getTime() - 1), before),
    })).flatMap((p) => p.fragments);
    expect(none.every((f) => f.FragmentNumber !== target.FragmentNumber), "a range ending 1 ms before the fragment's start lists it");
    return `${target.FragmentNumber} at ${at.toISOString()}`;
  });

  await check("ListFragments: MaxResults 1 with NextToken walks every fragment once", async () => {
    const listed = requireListed();
    const pages = await listPages(client, {
      StreamName: media.name, MaxResults: 1,
      ...range("SERVER_TIMESTAMP", new Date(listed[0].ServerTimestamp.getTime() - 1000), new Date(Date.now() + 60_000)),
    });
    for (const [i, page] of pages.entries()) {
      expect(page.fragments.length <= 1, `page ${i + 1} holds ${page.fragments.length} fragments, more than MaxResults 1`);
      expect(page.fragments.length === 1 || i === pages.length - 1, `page ${i + 1} is empty but has a NextToken`);
    }
    const numbers = pages.flatMap((p) => p.fragments.map((f) => f.FragmentNumber));
    expect(new Set(numbers).size === numbers.length, `a fragment came back twice: ${numbers.join(", ")}`);
    expectEqual([...numbers].sort(byNumber).join(","), listed.map((f) => f.FragmentNumber).join(","), "fragments over all pages");
    expect(pages.every((p, i) => (i < pages.length - 1) === Boolean(p.nextToken)), "NextToken must be on every page but the last");
    return `${pages.length} pages${pages.at(-1).fragments.length === 0 ? " (the last one empty)" : ""}`;
  });

  await check("ListFragments: a NextToken the server never gave out is InvalidArgumentException", async () => {
    // Well-formed base64 (the model's pattern), so the SDK sends it and only the server can refuse it.
    const token = Buffer.from("not a token of this server").toString("base64");
    return expectError(client.send(new ListFragmentsCommand({ StreamName: media.name, NextToken: token })),
      "InvalidArgumentException", 400, archived);
  });

  await check("ListFragments: MaxResults 1001 is InvalidArgumentException", async () =>
    expectError(client.send(new ListFragmentsCommand({
      StreamName: media.name, MaxResults: 1001, ...range("SERVER_TIMESTAMP", new Date(0), new Date()),
    })), "InvalidArgumentException", 400, archived));

  await check("ListFragments: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new ListFragmentsCommand({
      StreamName: `${ctx.run}-missing`, ...range("SERVER_TIMESTAMP", new Date(0), new Date()),
    })), "ResourceNotFoundException", 404, archived));
}
