// Error names as the SDK surfaces them: the server's x-amzn-ErrorType (or body code) becomes err.name.
import { CreateStreamCommand, DescribeStreamCommand, UpdateStreamCommand } from "@aws-sdk/client-kinesis-video";
import { check, expectError } from "./report.mjs";
import { requireStream } from "./streams.mjs";
import { manyTags } from "./tags.mjs";

export async function errorChecks(ctx) {
  const { client } = ctx;
  const create = (input) => client.send(new CreateStreamCommand(input));

  await check("CreateStream: a name already taken is ResourceInUseException", async () =>
    expectError(create({ StreamName: requireStream(ctx.main).name }), "ResourceInUseException", 400));

  await check("CreateStream: a name with a space and '!' is InvalidArgumentException", async () =>
    expectError(create({ StreamName: `${ctx.run} bad!` }), "InvalidArgumentException", 400));

  await check("CreateStream: a 300-character name is InvalidArgumentException", async () =>
    expectError(create({ StreamName: `${ctx.run}-`.padEnd(300, "x") }), "InvalidArgumentException", 400));

  await check("CreateStream: retention over 87600 hours is InvalidArgumentException", async () =>
    expectError(create({ StreamName: `${ctx.run}-too-long`, DataRetentionInHours: 87601 }), "InvalidArgumentException", 400));

  await check("CreateStream: negative retention is InvalidArgumentException", async () =>
    expectError(create({ StreamName: `${ctx.run}-negative`, DataRetentionInHours: -1 }), "InvalidArgumentException", 400));

  await check("CreateStream: 51 tags is TagsPerResourceExceededLimitException", async () =>
    expectError(create({ StreamName: `${ctx.run}-51-tags`, Tags: manyTags(51) }), "TagsPerResourceExceededLimitException", 400));

  await check("DescribeStream: an unknown name is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new DescribeStreamCommand({ StreamName: `${ctx.run}-missing` })), "ResourceNotFoundException", 404));

  await check("DescribeStream: an unknown ARN is ResourceNotFoundException (404)", async () => {
    const main = requireStream(ctx.main);
    // Same account and region as a real stream, different name: well formed, but nothing there.
    const arn = main.arn.replace(`/${main.name}/`, `/${ctx.run}-missing/`);
    return expectError(client.send(new DescribeStreamCommand({ StreamARN: arn })), "ResourceNotFoundException", 404);
  });

  await check("UpdateStream: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new UpdateStreamCommand({ StreamName: `${ctx.run}-missing`, CurrentVersion: "abc123", DeviceName: "x" })),
      "ResourceNotFoundException", 404));
}
