// TagStream/UntagStream/ListTagsForStream and their ARN-only aliases TagResource/UntagResource/ListTagsForResource.
import {
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  TagResourceCommand,
  TagStreamCommand,
  UntagResourceCommand,
  UntagStreamCommand,
} from "@aws-sdk/client-kinesis-video";
import { check, expect, expectEqual, expectError } from "./report.mjs";
import { mainTags, requireStream } from "./streams.mjs";

/** All tags, following NextToken in case the server pages them. */
async function tagsOf(client, ref, viaResource = false) {
  const tags = {};
  let NextToken;
  for (let page = 0; page < 20; page++) {
    const out = viaResource
      ? await client.send(new ListTagsForResourceCommand({ ResourceARN: ref.StreamARN, NextToken }))
      : await client.send(new ListTagsForStreamCommand({ ...ref, NextToken }));
    Object.assign(tags, out.Tags ?? {});
    NextToken = out.NextToken;
    if (!NextToken) {
      return tags;
    }
  }
  throw new Error("ListTags kept returning NextToken after 20 pages");
}

const sorted = (tags) => JSON.stringify(Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b))));

function expectTags(actual, expected, what) {
  expectEqual(sorted(actual), sorted(expected), what);
}

export function manyTags(count, prefix = "bulk") {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}-${i}`, `v${i}`]));
}

export async function tagChecks(ctx) {
  const { client } = ctx;
  const byName = () => ({ StreamName: requireStream(ctx.main).name });
  const byArn = () => ({ StreamARN: requireStream(ctx.main).arn });

  await check("ListTagsForStream: returns the tags given at creation", async () => {
    expectTags(await tagsOf(client, byName()), mainTags, "tags by name");
    expectTags(await tagsOf(client, byArn()), mainTags, "tags by ARN");
    return sorted(mainTags);
  });

  const afterTagStream = { ...mainTags, owner: "changed", env: "test" };
  await check("TagStream: adds tags and overwrites existing keys", async () => {
    await client.send(new TagStreamCommand({ ...byArn(), Tags: { owner: "changed", env: "test" } }));
    expectTags(await tagsOf(client, byName()), afterTagStream, "tags after TagStream");
    return sorted(afterTagStream);
  });

  await check("UntagStream: removes keys and ignores keys the stream lacks", async () => {
    await client.send(new UntagStreamCommand({ ...byName(), TagKeyList: ["env", "no-such-key"] }));
    const expected = { ...mainTags, owner: "changed" };
    expectTags(await tagsOf(client, byArn()), expected, "tags after UntagStream");
    return sorted(expected);
  });

  await check("TagStream: more than 50 tags in total is TagsPerResourceExceededLimitException", async () => {
    const before = await tagsOf(client, byName());
    const detail = await expectError(client.send(new TagStreamCommand({ ...byName(), Tags: manyTags(51 - Object.keys(before).length) })),
      "TagsPerResourceExceededLimitException", 400);
    expectTags(await tagsOf(client, byName()), before, "tags after the refused TagStream");
    return detail;
  });

  await check("TagStream: a malformed ARN is InvalidResourceFormatException", async () =>
    expectError(client.send(new TagStreamCommand({ StreamARN: "arn:not-a-stream-arn", Tags: { a: "b" } })),
      "InvalidResourceFormatException", 400));

  await check("TagResource: adds tags to a stream by ARN", async () => {
    await client.send(new TagResourceCommand({ ...{ ResourceARN: byArn().StreamARN }, Tags: [{ Key: "resource", Value: "alias" }] }));
    const viaResource = await tagsOf(client, byArn(), true);
    const viaStream = await tagsOf(client, byName());
    expectEqual(viaResource.resource, "alias", "tag 'resource' via ListTagsForResource");
    expectTags(viaResource, viaStream, "ListTagsForResource vs ListTagsForStream");
    return sorted(viaResource);
  });

  await check("UntagResource: removes tags from a stream by ARN", async () => {
    await client.send(new UntagResourceCommand({ ResourceARN: byArn().StreamARN, TagKeyList: ["resource"] }));
    const tags = await tagsOf(client, byArn(), true);
    expect(!("resource" in tags), `tag 'resource' is still there: ${sorted(tags)}`);
    return sorted(tags);
  });

  await check("TagResource: more than 50 tags in total is TagsPerResourceExceededLimitException", async () => {
    const tags = Object.entries(manyTags(51)).map(([Key, Value]) => ({ Key, Value }));
    return expectError(client.send(new TagResourceCommand({ ResourceARN: byArn().StreamARN, Tags: tags })),
      "TagsPerResourceExceededLimitException", 400);
  });

  await check("ListTagsForStream: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new ListTagsForStreamCommand({ StreamName: `${ctx.run}-missing` })), "ResourceNotFoundException", 404));
}
