// CreateStream, DescribeStream, UpdateStream and UpdateDataRetention as the SDK sends and reads them.
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  UpdateDataRetentionCommand,
  UpdateStreamCommand,
} from "@aws-sdk/client-kinesis-video";
import { setTimeout as sleep } from "node:timers/promises";
import { check, CheckFailure, expect, expectEqual, expectError } from "./report.mjs";

// KVS's StreamARN shape (KVS-API §1.5).
const arnPattern = /^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+\/[a-zA-Z0-9_.-]+\/[0-9]+$/;
const versionPattern = /^[a-zA-Z0-9]{1,64}$/;

export const mainTags = { project: "videostreams", owner: "sdk-harness" };

/** Describes until the stream is ACTIVE: KVS creates and updates asynchronously (CREATING, UPDATING). */
export async function describeActive(client, ref, seconds = 10) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { StreamInfo: info } = await client.send(new DescribeStreamCommand(ref));
    expect(info, "DescribeStream returned no StreamInfo");
    if (info.Status === "ACTIVE" || Date.now() > deadline) {
      return info;
    }
    await sleep(100);
  }
}

export function requireStream(stream, what = "the main stream") {
  if (!stream?.arn) {
    throw new CheckFailure(`skipped: ${what} was not created (see the create checks)`);
  }
  return stream;
}

function expectStreamInfo(info, expected) {
  expectEqual(info.StreamName, expected.name, "StreamName");
  expect(arnPattern.test(info.StreamARN ?? ""), `StreamARN ${JSON.stringify(info.StreamARN)} is not a KVS stream ARN`);
  expect(info.StreamARN.includes(`/${expected.name}/`), `StreamARN ${info.StreamARN} does not name ${expected.name}`);
  if (expected.arn) {
    expectEqual(info.StreamARN, expected.arn, "StreamARN");
  }
  expectEqual(info.Status, "ACTIVE", "Status");
  expect(versionPattern.test(info.Version ?? ""), `Version ${JSON.stringify(info.Version)} is not 1-64 of [a-zA-Z0-9]`);
  expect(typeof info.KmsKeyId === "string" && info.KmsKeyId.length > 0, "KmsKeyId is missing");
  // Epoch seconds on the wire; the SDK turns them into a Date. A string or milliseconds would land far off.
  expect(info.CreationTime instanceof Date && !Number.isNaN(info.CreationTime.getTime()),
    `CreationTime ${JSON.stringify(info.CreationTime)} did not parse as a timestamp`);
  const skewMinutes = Math.abs(info.CreationTime.getTime() - Date.now()) / 60_000;
  expect(skewMinutes < 10, `CreationTime ${info.CreationTime.toISOString()} is ${skewMinutes.toFixed(0)} min from now`);
  for (const field of ["DeviceName", "MediaType", "DataRetentionInHours"]) {
    if (field in expected) {
      expectEqual(info[field], expected[field], field);
    }
  }
}

export async function createAndDescribeChecks(ctx) {
  const { client } = ctx;
  const main = { name: `${ctx.run}-main`, DeviceName: "harness-camera-1", MediaType: "video/h264", DataRetentionInHours: 24 };

  await check("CreateStream: with device name, media type, retention and tags", async () => {
    const out = await client.send(new CreateStreamCommand({
      StreamName: main.name,
      DeviceName: main.DeviceName,
      MediaType: main.MediaType,
      DataRetentionInHours: main.DataRetentionInHours,
      Tags: mainTags,
    }));
    expect(arnPattern.test(out.StreamARN ?? ""), `StreamARN ${JSON.stringify(out.StreamARN)} is not a KVS stream ARN`);
    expect(out.StreamARN.includes(`/${main.name}/`), `StreamARN ${out.StreamARN} does not name the stream`);
    expect(out.$metadata.requestId, "no x-amzn-RequestId on the response");
    main.arn = out.StreamARN;
    ctx.created.push(main);
    ctx.main = main;
    return out.StreamARN;
  });

  await check("DescribeStream: by name returns every StreamInfo field", async () => {
    requireStream(ctx.main);
    const info = await describeActive(client, { StreamName: main.name });
    expectStreamInfo(info, main);
    return `Version ${info.Version}, KmsKeyId ${info.KmsKeyId}, created ${info.CreationTime.toISOString()}`;
  });

  await check("DescribeStream: by ARN returns the same stream", async () => {
    requireStream(ctx.main);
    const byName = (await client.send(new DescribeStreamCommand({ StreamName: main.name }))).StreamInfo;
    const byArn = (await client.send(new DescribeStreamCommand({ StreamARN: main.arn }))).StreamInfo;
    expectStreamInfo(byArn, main);
    expectEqual(JSON.stringify(byArn), JSON.stringify(byName), "StreamInfo by ARN vs by name");
    return main.arn;
  });

  await check("CreateStream: only a name gives retention 0 and the default KMS key", async () => {
    const name = `${ctx.run}-defaults`;
    const out = await client.send(new CreateStreamCommand({ StreamName: name }));
    ctx.created.push({ name, arn: out.StreamARN });
    const info = await describeActive(client, { StreamARN: out.StreamARN });
    expectStreamInfo(info, { name, arn: out.StreamARN, DataRetentionInHours: 0 });
    return `KmsKeyId ${info.KmsKeyId}`;
  });
}

export async function updateChecks(ctx) {
  const { client } = ctx;

  await check("UpdateStream: with the current version changes device name and media type", async () => {
    const main = requireStream(ctx.main);
    const before = await describeActive(client, { StreamName: main.name });
    await client.send(new UpdateStreamCommand({
      StreamName: main.name,
      CurrentVersion: before.Version,
      DeviceName: "harness-camera-2",
      MediaType: "video/h265,audio/aac",
    }));
    const after = await describeActive(client, { StreamARN: main.arn });
    expectEqual(after.DeviceName, "harness-camera-2", "DeviceName after update");
    expectEqual(after.MediaType, "video/h265,audio/aac", "MediaType after update");
    expect(after.Version !== before.Version, `Version did not change on update (${after.Version})`);
    ctx.staleVersion = before.Version;
    return `Version ${before.Version} -> ${after.Version}`;
  });

  await check("UpdateStream: a stale CurrentVersion is VersionMismatchException", async () => {
    const main = requireStream(ctx.main);
    expect(ctx.staleVersion, "skipped: no earlier version (the update check failed)");
    return expectError(client.send(new UpdateStreamCommand({
      StreamARN: main.arn, CurrentVersion: ctx.staleVersion, DeviceName: "harness-camera-3",
    })), "VersionMismatchException", 400);
  });

  const retention = (operation, hours, version) => new UpdateDataRetentionCommand({
    StreamName: ctx.main?.name, CurrentVersion: version, Operation: operation, DataRetentionChangeInHours: hours,
  });

  await check("UpdateDataRetention: INCREASE adds hours and changes the version", async () => {
    requireStream(ctx.main);
    const before = await describeActive(client, { StreamName: ctx.main.name });
    await client.send(retention("INCREASE_DATA_RETENTION", 24, before.Version));
    const after = await describeActive(client, { StreamName: ctx.main.name });
    expectEqual(after.DataRetentionInHours, before.DataRetentionInHours + 24, "DataRetentionInHours after +24");
    expect(after.Version !== before.Version, "Version did not change on a retention update");
    ctx.staleRetentionVersion = before.Version;
    return `${before.DataRetentionInHours} h -> ${after.DataRetentionInHours} h`;
  });

  await check("UpdateDataRetention: DECREASE subtracts hours", async () => {
    requireStream(ctx.main);
    const before = await describeActive(client, { StreamName: ctx.main.name });
    await client.send(retention("DECREASE_DATA_RETENTION", 12, before.Version));
    const after = await describeActive(client, { StreamName: ctx.main.name });
    expectEqual(after.DataRetentionInHours, before.DataRetentionInHours - 12, "DataRetentionInHours after -12");
    return `${before.DataRetentionInHours} h -> ${after.DataRetentionInHours} h`;
  });

  await check("UpdateDataRetention: a stale CurrentVersion is VersionMismatchException", async () => {
    requireStream(ctx.main);
    expect(ctx.staleRetentionVersion, "skipped: no earlier version (the increase check failed)");
    return expectError(client.send(retention("INCREASE_DATA_RETENTION", 1, ctx.staleRetentionVersion)),
      "VersionMismatchException", 400);
  });

  await check("UpdateDataRetention: decreasing below 0 hours is InvalidArgumentException", async () => {
    requireStream(ctx.main);
    const info = await describeActive(client, { StreamName: ctx.main.name });
    const detail = await expectError(client.send(retention("DECREASE_DATA_RETENTION", info.DataRetentionInHours + 1, info.Version)),
      "InvalidArgumentException", 400);
    const after = await describeActive(client, { StreamName: ctx.main.name });
    expectEqual(after.DataRetentionInHours, info.DataRetentionInHours, "DataRetentionInHours after the refused decrease");
    return detail;
  });

  await check("UpdateDataRetention: increasing past 87600 hours is InvalidArgumentException", async () => {
    requireStream(ctx.main);
    const info = await describeActive(client, { StreamName: ctx.main.name });
    return expectError(client.send(retention("INCREASE_DATA_RETENTION", 87600, info.Version)), "InvalidArgumentException", 400);
  });
}
