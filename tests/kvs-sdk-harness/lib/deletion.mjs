// DeleteStream by ARN with CurrentVersion, KVS's asynchronous delete (DELETING, then gone), and cleanup.
import { DeleteStreamCommand, DescribeStreamCommand, ListStreamsCommand } from "@aws-sdk/client-kinesis-video";
import { setTimeout as sleep } from "node:timers/promises";
import { check, CheckFailure, describeError, expect, expectError } from "./report.mjs";
import { describeActive, requireStream } from "./streams.mjs";

/** Polls DescribeStream until ResourceNotFoundException; DELETING is allowed on the way. */
async function waitGone(client, ref, seconds = 10) {
  const deadline = Date.now() + seconds * 1000;
  const seen = [];
  for (;;) {
    try {
      const { StreamInfo: info } = await client.send(new DescribeStreamCommand(ref));
      if (info?.Status !== "DELETING") {
        throw new CheckFailure(`after DeleteStream the stream is ${info?.Status}, not DELETING or gone`);
      }
      if (!seen.includes("DELETING")) {
        seen.push("DELETING");
      }
    } catch (err) {
      if (err?.name === "ResourceNotFoundException") {
        return { err, seen };
      }
      throw err;
    }
    if (Date.now() > deadline) {
      throw new CheckFailure(`still DELETING ${seconds} s after DeleteStream`);
    }
    await sleep(100);
  }
}

export async function deleteChecks(ctx) {
  const { client } = ctx;

  await check("DeleteStream: a stale CurrentVersion is VersionMismatchException", async () => {
    const main = requireStream(ctx.main);
    expect(ctx.staleVersion, "skipped: no earlier version (the update check failed)");
    const detail = await expectError(client.send(new DeleteStreamCommand({ StreamARN: main.arn, CurrentVersion: ctx.staleVersion })),
      "VersionMismatchException", 400);
    await describeActive(client, { StreamARN: main.arn }); // still there
    return detail;
  });

  await check("DeleteStream: by ARN with CurrentVersion, then DescribeStream is ResourceNotFoundException (404)", async () => {
    const main = requireStream(ctx.main);
    const { Version } = await describeActive(client, { StreamARN: main.arn });
    await client.send(new DeleteStreamCommand({ StreamARN: main.arn, CurrentVersion: Version }));
    main.deleted = true;
    const { err, seen } = await waitGone(client, { StreamName: main.name });
    expect(err.$metadata.httpStatusCode === 404, `ResourceNotFoundException with HTTP ${err.$metadata.httpStatusCode}, not 404`);
    await expectError(client.send(new DescribeStreamCommand({ StreamARN: main.arn })), "ResourceNotFoundException", 404);
    return seen.length ? "DELETING, then gone" : "gone at once";
  });

  await check("ListStreams: a deleted stream is no longer listed", async () => {
    const main = requireStream(ctx.main);
    expect(main.deleted, "skipped: the stream was not deleted");
    const out = await client.send(new ListStreamsCommand({
      StreamNameCondition: { ComparisonOperator: "BEGINS_WITH", ComparisonValue: main.name },
    }));
    expect((out.StreamInfoList ?? []).length === 0, `still listed: ${JSON.stringify(out.StreamInfoList?.map((s) => s.Status))}`);
    return main.name;
  });

  await check("DeleteStream: an unknown ARN is ResourceNotFoundException (404)", async () => {
    const main = requireStream(ctx.main);
    expect(main.deleted, "skipped: the stream was not deleted");
    return expectError(client.send(new DeleteStreamCommand({ StreamARN: main.arn })), "ResourceNotFoundException", 404);
  });
}

/** Deletes what the run created (without a version: the ARN alone), so repeated runs leave little behind. */
export async function cleanup(ctx) {
  const left = ctx.created.filter((s) => s.arn && !s.deleted);
  await check("Cleanup: DeleteStream without CurrentVersion removes the run's other streams", async () => {
    const failures = [];
    for (const stream of left) {
      try {
        await ctx.client.send(new DeleteStreamCommand({ StreamARN: stream.arn }));
        stream.deleted = true;
      } catch (err) {
        failures.push(`${stream.name}: ${describeError(err)}`);
      }
    }
    expect(failures.length === 0, failures.join("; "));
    return `${left.length} deleted`;
  });
}
