// Playback through the unchanged SDK (KVS-API §4), on the stream the media suite reads: GetHLSStreamingSessionURL
// (then the playlists and segments its URL leads to, fetched plainly with no signing, as players do), GetClip and
// GetImages. Each operation's client is pointed at what GetDataEndpoint returned for its APIName, as real callers do.
import * as archived from "@aws-sdk/client-kinesis-video-archived-media";
import {
  GetClipCommand,
  GetHLSStreamingSessionURLCommand,
  GetImagesCommand,
  ListFragmentsCommand,
} from "@aws-sdk/client-kinesis-video-archived-media";
import { normalizeBaseUrl } from "./args.mjs";
import { byNumber } from "./chunks.mjs";
import { createArchivedMediaClient } from "./client.mjs";
import { jpegSize, mp4Boxes } from "./containers.mjs";
import { dataEndpoints } from "./fragments.mjs";
import { check, CheckFailure, expect, expectEqual, expectError } from "./report.mjs";

const playbackApis = ["GET_HLS_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES", "LIST_FRAGMENTS"];

/** Builds ctx.playback: the three clients at their data endpoints and the ingested fragments' time range. */
export async function playbackSetup(ctx) {
  const { options, client } = ctx;
  const playback = { name: options.mediaStream };
  ctx.playback = playback;

  await check("GetDataEndpoint: GET_HLS_STREAMING_SESSION_URL, GET_CLIP, GET_IMAGES and LIST_FRAGMENTS name the server", async () => {
    const endpoints = await dataEndpoints(client, playback.name, playbackApis, options.dataEndpoint);
    playback.endpoints = endpoints;
    return [...new Set(Object.values(endpoints))].join(", ");
  });

  const at = (api) => playback.endpoints?.[api] ?? options.dataEndpoint;
  playback.hlsClient = createArchivedMediaClient(at("GET_HLS_STREAMING_SESSION_URL"), options);
  playback.clipClient = createArchivedMediaClient(at("GET_CLIP"), options);
  playback.imagesClient = createArchivedMediaClient(at("GET_IMAGES"), options);
  playback.listClient = createArchivedMediaClient(at("LIST_FRAGMENTS"), options);

  await check("ListFragments: the ingested fragments give the playback checks their producer-time range", async () => {
    const now = Date.now();
    const fragments = [];
    let NextToken;
    do {
      const out = await playback.listClient.send(new ListFragmentsCommand(NextToken
        ? { StreamName: playback.name, NextToken }
        : {
          StreamName: playback.name,
          FragmentSelector: { FragmentSelectorType: "SERVER_TIMESTAMP", TimestampRange: { StartTimestamp: new Date(now - 3_600_000), EndTimestamp: new Date(now + 60_000) } },
        }));
      fragments.push(...(out.Fragments ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
    expect(fragments.length > 0, "no fragments: was media ingested into the stream before the run?");
    // The media suite PutMedia's the file again later (a minute on); playback reads the first ingest only.
    fragments.sort((a, b) => byNumber(a.FragmentNumber, b.FragmentNumber));
    const count = options.mediaFragments?.length ?? fragments.length;
    playback.fragments = fragments.slice(0, count);
    const last = playback.fragments.at(-1);
    playback.start = playback.fragments[0].ProducerTimestamp;
    playback.end = new Date(last.ProducerTimestamp.getTime() + last.FragmentLengthInMilliseconds);
    return `${playback.fragments.length} fragments, ${playback.start.toISOString()} – ${playback.end.toISOString()}`;
  });
}

const requireRange = (playback) => {
  if (!playback.fragments?.length) {
    throw new CheckFailure("skipped: the ingested fragments could not be listed");
  }
  return playback;
};

/** GET with no signing or headers, as a player does; the body as bytes. */
async function get(url, what) {
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  } catch (err) {
    throw new CheckFailure(`${what}: GET ${url} failed: ${err.message}`);
  }
  const body = Buffer.from(await response.arrayBuffer());
  expect(response.ok, `${what}: GET ${url} answered HTTP ${response.status}: ${body.toString("utf8", 0, 300)}`);
  return { body, type: response.headers.get("content-type") ?? "" };
}

/** The URI lines of a playlist (no tags), resolved against the playlist's own URL. */
const uris = (text, base) => text.split(/\r?\n/).filter((l) => l.length > 0 && !l.startsWith("#")).map((l) => new URL(l, base));

const tagValues = (text, tag) => text.split(/\r?\n/).filter((l) => l.startsWith(`${tag}:`)).map((l) => l.slice(tag.length + 1));

export async function hlsChecks(ctx) {
  const { playback } = ctx;
  const client = playback.hlsClient;
  const session = {};

  await check("GetHLSStreamingSessionURL: ON_DEMAND by PRODUCER_TIMESTAMP gives a KVS-shaped URL on the data endpoint", async () => {
    const { name, start, end } = requireRange(playback);
    const out = await client.send(new GetHLSStreamingSessionURLCommand({
      StreamName: name,
      PlaybackMode: "ON_DEMAND",
      HLSFragmentSelector: { FragmentSelectorType: "PRODUCER_TIMESTAMP", TimestampRange: { StartTimestamp: start, EndTimestamp: end } },
      ContainerFormat: "FRAGMENTED_MP4",
      DisplayFragmentTimestamp: "ALWAYS",
      Expires: 600,
    }));
    const url = new URL(out.HLSStreamingSessionURL ?? "");
    const expected = `${normalizeBaseUrl(playback.endpoints?.GET_HLS_STREAMING_SESSION_URL ?? ctx.options.dataEndpoint)}/hls/v1/getHLSMasterPlaylist.m3u8`;
    expectEqual(`${url.origin}${url.pathname}`, expected, "session URL without its query");
    expect(url.searchParams.get("SessionToken"), "the session URL carries no SessionToken");
    session.url = url;
    return url.href;
  });

  const requireSession = (step) => {
    if (!session[step]) {
      throw new CheckFailure(`skipped: no ${step} from the previous check`);
    }
    return session[step];
  };

  await check("GetHLSStreamingSessionURL: the master playlist (plain GET) names one media playlist", async () => {
    const url = requireSession("url");
    const { body, type } = await get(url, "master playlist");
    const text = body.toString("utf8");
    expect(text.startsWith("#EXTM3U"), `the master playlist does not start with #EXTM3U: ${text.slice(0, 100)}`);
    expect(/mpegurl/i.test(type), `Content-Type ${type} is not an HLS playlist type`);
    expect(text.includes("#EXT-X-STREAM-INF:"), "no #EXT-X-STREAM-INF in the master playlist");
    const media = uris(text, url);
    expect(media.length >= 1, "the master playlist names no media playlist");
    expect(media[0].pathname.endsWith("/getHLSMediaPlaylist.m3u8"), `media playlist URI ${media[0].href} is not getHLSMediaPlaylist.m3u8`);
    session.media = media[0];
    return `${tagValues(text, "#EXT-X-STREAM-INF")[0]} → ${media[0].pathname}`;
  });

  await check("GetHLSStreamingSessionURL: the media playlist lists every fragment with EXT-X-MAP, program date times and EXT-X-ENDLIST", async () => {
    const url = requireSession("media");
    const text = (await get(url, "media playlist")).body.toString("utf8");
    expect(text.startsWith("#EXTM3U"), "the media playlist does not start with #EXTM3U");
    const durations = tagValues(text, "#EXTINF").map((v) => Number(v.split(",")[0]));
    expectEqual(durations.length, playback.fragments.length, "#EXTINF segments (one per fragment)");
    const target = Number(tagValues(text, "#EXT-X-TARGETDURATION")[0]);
    expect(durations.every((d) => d > 0 && Math.round(d) <= target), `#EXT-X-TARGETDURATION ${target} is below a segment's duration (${durations.join(", ")})`);
    const map = tagValues(text, "#EXT-X-MAP")[0]?.match(/URI="([^"]+)"/)?.[1];
    expect(map, "no #EXT-X-MAP:URI (the fMP4 init segment)");
    const dates = tagValues(text, "#EXT-X-PROGRAM-DATE-TIME").map((d) => new Date(d).getTime());
    expect(dates.length > 0, "no #EXT-X-PROGRAM-DATE-TIME although DisplayFragmentTimestamp is ALWAYS");
    expectEqual(dates[0], playback.start.getTime(), "first #EXT-X-PROGRAM-DATE-TIME vs the first fragment's producer timestamp (ms)");
    expect(/^#EXT-X-ENDLIST\s*$/m.test(text), "no #EXT-X-ENDLIST in a complete ON_DEMAND playlist");
    session.init = new URL(map, url);
    session.segment = uris(text, url)[0];
    return `${durations.length} segments (${durations.join(", ")} s), target ${target} s`;
  });

  await check("GetHLSStreamingSessionURL: the init segment (plain GET) is ftyp + moov", async () => {
    const url = requireSession("init");
    const { body } = await get(url, "init segment");
    const boxes = mp4Boxes(body);
    expectEqual(boxes[0]?.type, "ftyp", "first box of the init segment");
    expect(boxes.some((b) => b.type === "moov"), `no moov in the init segment: ${boxes.map((b) => b.type).join(", ")}`);
    expect(!boxes.some((b) => b.type === "mdat" || b.type === "moof"), "the init segment carries media");
    return `${body.length} bytes: ${boxes.map((b) => b.type).join(", ")}`;
  });

  await check("GetHLSStreamingSessionURL: a media segment (plain GET) is moof + mdat", async () => {
    const url = requireSession("segment");
    const { body } = await get(url, "media segment");
    const types = mp4Boxes(body).map((b) => b.type);
    const moof = types.indexOf("moof");
    expect(moof >= 0 && types.indexOf("mdat") > moof, `expected moof then mdat, got ${types.join(", ")}`);
    return `${url.pathname}: ${body.length} bytes: ${types.join(", ")}`;
  });

  await check("GetHLSStreamingSessionURL: an altered SessionToken is refused with a 4xx", async () => {
    const url = new URL(requireSession("url"));
    const token = url.searchParams.get("SessionToken");
    const flipped = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
    url.searchParams.set("SessionToken", flipped);
    const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    await response.arrayBuffer();
    expect(response.status >= 400 && response.status < 500, `an altered token got HTTP ${response.status}`);
    return `HTTP ${response.status}`;
  });

  await check("GetHLSStreamingSessionURL: ON_DEMAND without a TimestampRange is InvalidArgumentException", async () =>
    expectError(client.send(new GetHLSStreamingSessionURLCommand({
      StreamName: playback.name, PlaybackMode: "ON_DEMAND", HLSFragmentSelector: { FragmentSelectorType: "PRODUCER_TIMESTAMP" },
    })), "InvalidArgumentException", 400, archived));

  await check("GetHLSStreamingSessionURL: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new GetHLSStreamingSessionURLCommand({ StreamName: `${ctx.run}-missing`, PlaybackMode: "LIVE" })),
      "ResourceNotFoundException", 404, archived));
}

export async function clipChecks(ctx) {
  const { playback } = ctx;

  await check("GetClip: the ingested range is a progressive MP4 (video/mp4, ftyp first, moov before mdat)", async () => {
    const { name, start, end } = requireRange(playback);
    const out = await playback.clipClient.send(new GetClipCommand({
      StreamName: name,
      ClipFragmentSelector: { FragmentSelectorType: "PRODUCER_TIMESTAMP", TimestampRange: { StartTimestamp: start, EndTimestamp: end } },
    }));
    expect(/^video\/mp4/.test(out.ContentType ?? ""), `ContentType ${out.ContentType} is not video/mp4`);
    const body = Buffer.from(await out.Payload.transformToByteArray());
    const types = mp4Boxes(body).map((b) => b.type);
    expectEqual(types[0], "ftyp", "first box of the clip");
    const moov = types.indexOf("moov");
    const mdat = types.indexOf("mdat");
    expect(moov > 0 && mdat > moov, `expected moov before mdat, got ${types.join(", ")}`);
    expect(!types.includes("moof"), `a clip is not fragmented, got ${types.join(", ")}`);
    return `${body.length} bytes: ${types.join(", ")}`;
  });

  await check("GetClip: an EndTimestamp before the StartTimestamp is InvalidArgumentException", async () => {
    const { name, start } = requireRange(playback);
    return expectError(playback.clipClient.send(new GetClipCommand({
      StreamName: name,
      ClipFragmentSelector: { FragmentSelectorType: "PRODUCER_TIMESTAMP", TimestampRange: { StartTimestamp: start, EndTimestamp: new Date(start.getTime() - 1000) } },
    })), "InvalidArgumentException", 400, archived);
  });
}

export async function imagesChecks(ctx) {
  const { playback } = ctx;
  const width = 320;
  const height = 180;
  const interval = 500;

  await check(`GetImages: JPEG ${width}x${height} every ${interval} ms over the ingested range, paged 2 at a time with NextToken`, async () => {
    const { name, start, end } = requireRange(playback);
    const last = new Date(end.getTime() - 1);
    const images = [];
    const pages = [];
    let NextToken;
    do {
      const out = await playback.imagesClient.send(new GetImagesCommand({
        StreamName: name,
        ImageSelectorType: "PRODUCER_TIMESTAMP",
        StartTimestamp: start,
        EndTimestamp: last,
        SamplingInterval: interval,
        Format: "JPEG",
        FormatConfig: { JPEGQuality: "80" },
        WidthPixels: width,
        HeightPixels: height,
        MaxResults: 2,
        NextToken,
      }));
      expect(Array.isArray(out.Images), `page ${pages.length + 1} has no Images array`);
      expect(out.Images.length <= 2, `page ${pages.length + 1} holds ${out.Images.length} images, more than MaxResults 2`);
      expect(!out.NextToken || out.NextToken !== NextToken, "the server returned the same NextToken twice");
      pages.push(out.Images.length);
      images.push(...out.Images);
      NextToken = out.NextToken;
    } while (NextToken && pages.length < 100);
    expect(!NextToken, "still a NextToken after 100 pages");
    const span = last.getTime() - start.getTime();
    const expected = Math.floor(span / interval) + 1;
    expect(Math.abs(images.length - expected) <= 1, `${images.length} images over ${span} ms every ${interval} ms (expected about ${expected})`);
    expect(pages.length >= 2, "all images came on one page despite MaxResults 2");
    let previous = -Infinity;
    for (const [i, image] of images.entries()) {
      const at = image.TimeStamp?.getTime();
      expect(at >= start.getTime() && at <= last.getTime(), `image ${i}: TimeStamp ${image.TimeStamp?.toISOString()} is outside the range`);
      expect(at - previous >= interval - 1, `image ${i}: ${at - previous} ms after the previous one, less than the sampling interval`);
      previous = at;
      expect(!image.Error, `image ${i} at ${image.TimeStamp.toISOString()}: Error ${image.Error} inside the ingested media`);
      const jpeg = Buffer.from(image.ImageContent ?? "", "base64");
      const size = jpegSize(jpeg);
      expect(size, `image ${i}: ImageContent is not a JPEG (${jpeg.subarray(0, 4).toString("hex")}…, ${jpeg.length} bytes)`);
      expectEqual(`${size.width}x${size.height}`, `${width}x${height}`, `image ${i}: JPEG size`);
    }
    return `${images.length} images on ${pages.length} pages (${pages.join("+")})`;
  });

  await check("GetImages: a SamplingInterval under 200 ms is InvalidArgumentException", async () => {
    const { name, start, end } = requireRange(playback);
    return expectError(playback.imagesClient.send(new GetImagesCommand({
      StreamName: name, ImageSelectorType: "PRODUCER_TIMESTAMP", StartTimestamp: start, EndTimestamp: end,
      SamplingInterval: 100, Format: "JPEG",
    })), "InvalidArgumentException", 400, archived);
  });
}

/** Closes the playback clients. */
export function playbackCleanup(ctx) {
  for (const client of [ctx.playback?.hlsClient, ctx.playback?.clipClient, ctx.playback?.imagesClient, ctx.playback?.listClient]) {
    client?.destroy();
  }
}
