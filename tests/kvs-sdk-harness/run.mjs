#!/usr/bin/env node
// Runs the unchanged AWS SDK v3 Kinesis Video clients against a VideoStreams server: every control-plane operation,
// and (given a stream with media ingested before the run) ListFragments, GetMediaForFragmentList and GetMedia, and
// playback: GetHLSStreamingSessionURL (with the playlists and segments its URL leads to), GetClip and GetImages.
// Output: one JSON line per check on stdout ({"check", "ok", "detail"}), a summary on stderr.
// Exit code 0 only when every check passed; 1 when one failed; 2 for bad arguments or an unsupported Node.
//
//   node tests/kvs-sdk-harness/run.mjs --endpoint http://127.0.0.1:5099 [--media-stream NAME --media-file F.mkv ...]
import { ListStreamsCommand } from "@aws-sdk/client-kinesis-video";
import { randomBytes } from "node:crypto";
import { parseArgs } from "./lib/args.mjs";
import { createClient, isNetworkError } from "./lib/client.mjs";
import { cleanup, deleteChecks } from "./lib/deletion.mjs";
import { endpointChecks } from "./lib/endpoints.mjs";
import { errorChecks } from "./lib/errors.mjs";
import { listFragmentsChecks, mediaSetup } from "./lib/fragments.mjs";
import { listChecks } from "./lib/listing.mjs";
import { getMediaChecks, getMediaForFragmentListChecks } from "./lib/media.mjs";
import { clipChecks, hlsChecks, imagesChecks, playbackCleanup, playbackSetup } from "./lib/playback.mjs";
import { describeError, report, summary } from "./lib/report.mjs";
import { createAndDescribeChecks, updateChecks } from "./lib/streams.mjs";
import { tagChecks } from "./lib/tags.mjs";

const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  process.stderr.write(`Node.js >= 20 is required (the AWS SDK v3 needs it); this is ${process.version}\n`);
  process.exit(2);
}

const parsed = parseArgs(process.argv.slice(2));
if (parsed.help || parsed.error) {
  process.stderr.write(`${parsed.help ?? parsed.error}\n`);
  process.exit(parsed.help ? 0 : 2);
}
const { options } = parsed;

// A hung request must not hang the caller (xunit): fail the run as a whole after the timeout.
setTimeout(() => {
  report("Harness: finished within the timeout", false, `still running after ${options.timeoutSeconds} s`);
  process.stderr.write(`${JSON.stringify(summary())}\n`);
  process.exit(1);
}, options.timeoutSeconds * 1000).unref();

// Unique per run (and valid as a KVS stream name), so runs against one data folder never collide.
const run = `sdkh-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
const ctx = { client: createClient(options), options, run, created: [], main: undefined };

try {
  await ctx.client.send(new ListStreamsCommand({ MaxResults: 1 }));
  report("Server: answers ListStreams", true, `${options.endpoint} (run ${run})`);
} catch (err) {
  report("Server: answers ListStreams", false, `${options.endpoint}: ${describeError(err)}`);
  if (isNetworkError(err)) {
    // Nothing else can pass; stop rather than print forty identical connection failures.
    process.stderr.write(`${JSON.stringify(summary())}\n`);
    process.exit(1);
  }
}

if (options.suite === "all" || options.suite === "control-plane") {
  await createAndDescribeChecks(ctx);
  await updateChecks(ctx);
  await tagChecks(ctx);
  await endpointChecks(ctx);
  await listChecks(ctx);
  await errorChecks(ctx);
  await deleteChecks(ctx);
  await cleanup(ctx);
}

if ((options.suite === "all" || options.suite === "playback") && options.mediaStream) {
  // Before the media suite, which PutMedia's the file again: playback reads the stream as first ingested.
  await playbackSetup(ctx);
  await hlsChecks(ctx);
  await clipChecks(ctx);
  await imagesChecks(ctx);
}

if ((options.suite === "all" || options.suite === "media") && options.mediaStream) {
  await mediaSetup(ctx);
  await listFragmentsChecks(ctx);
  await getMediaForFragmentListChecks(ctx);
  await getMediaChecks(ctx);
} else if (options.suite === "all") {
  process.stderr.write("media and playback checks skipped: no --media-stream (see README.md)\n");
}

const result = summary();
process.stderr.write(`${JSON.stringify({ ...result, run, throttledCalls: ctx.client.throttledCalls })}\n`);
ctx.client.destroy();
playbackCleanup(ctx);
for (const media of [ctx.media?.getMediaClient, ctx.media?.listClient, ctx.media?.forListClient]) {
  media?.destroy();
}
process.exit(result.failed.length === 0 ? 0 : 1);
