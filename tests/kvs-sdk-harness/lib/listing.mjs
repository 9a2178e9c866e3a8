// ListStreams: the BEGINS_WITH condition and NextToken paging across several pages.
import { CreateStreamCommand, ListStreamsCommand } from "@aws-sdk/client-kinesis-video";
import { check, expect, expectEqual, expectError } from "./report.mjs";
import { requireStream } from "./streams.mjs";

const pageStreams = 7;
const pageSize = 3;

/** Every page of ListStreams; the pages themselves, so a check can look at their sizes. */
async function listPages(client, input, maxPages = 1000) {
  const pages = [];
  let NextToken;
  do {
    const out = await client.send(new ListStreamsCommand({ ...input, NextToken }));
    expect(Array.isArray(out.StreamInfoList), `page ${pages.length + 1} has no StreamInfoList`);
    pages.push(out.StreamInfoList);
    expect(out.NextToken !== NextToken || !out.NextToken, "the server returned the same NextToken twice");
    NextToken = out.NextToken;
  } while (NextToken && pages.length < maxPages);
  expect(!NextToken, `still a NextToken after ${maxPages} pages`);
  return pages;
}

export async function listChecks(ctx) {
  const { client } = ctx;
  const prefix = `${ctx.run}-page-`;
  const expected = Array.from({ length: pageStreams }, (_, i) => `${prefix}${i}`);

  await check(`CreateStream: ${pageStreams} streams sharing a prefix for paging`, async () => {
    for (const name of expected) {
      const out = await client.send(new CreateStreamCommand({ StreamName: name, DataRetentionInHours: 1 }));
      ctx.created.push({ name, arn: out.StreamARN });
    }
    return prefix;
  });

  await check(`ListStreams: BEGINS_WITH with MaxResults ${pageSize} pages through every match once`, async () => {
    const pages = await listPages(client, {
      MaxResults: pageSize,
      StreamNameCondition: { ComparisonOperator: "BEGINS_WITH", ComparisonValue: prefix },
    });
    const names = pages.flat().map((s) => s.StreamName);
    expect(pages.length >= Math.ceil(pageStreams / pageSize),
      `${pages.length} page(s) for ${pageStreams} streams at MaxResults ${pageSize}`);
    for (const [i, page] of pages.entries()) {
      expect(page.length <= pageSize, `page ${i + 1} holds ${page.length} streams, more than MaxResults ${pageSize}`);
    }
    expect(new Set(names).size === names.length, `a stream came back twice: ${names.join(", ")}`);
    expectEqual(JSON.stringify([...names].sort()), JSON.stringify(expected), "streams listed");
    for (const info of pages.flat()) {
      expect(info.StreamARN && info.Status && info.Version && info.CreationTime instanceof Date,
        `${info.StreamName}: StreamInfo lacks StreamARN/Status/Version/CreationTime`);
    }
    return `pages of ${pages.map((p) => p.length).join("+")}`;
  });

  await check("ListStreams: BEGINS_WITH matches by prefix only", async () => {
    const main = requireStream(ctx.main);
    const names = (await listPages(client, {
      StreamNameCondition: { ComparisonOperator: "BEGINS_WITH", ComparisonValue: main.name },
    })).flat().map((s) => s.StreamName);
    expectEqual(JSON.stringify(names), JSON.stringify([main.name]), "streams beginning with the main stream's name");
    const none = (await listPages(client, {
      StreamNameCondition: { ComparisonOperator: "BEGINS_WITH", ComparisonValue: `${ctx.run}-nothing-` },
    })).flat();
    expectEqual(none.length, 0, "streams beginning with an unused prefix");
    return main.name;
  });

  await check("ListStreams: no condition lists this run's streams", async () => {
    const names = new Set((await listPages(client, { MaxResults: 500 })).flat().map((s) => s.StreamName));
    const missing = ctx.created.map((s) => s.name).filter((n) => !names.has(n));
    expect(missing.length === 0, `not listed: ${missing.join(", ")}`);
    return `${names.size} streams in all`;
  });

  await check("ListStreams: MaxResults 0 is InvalidArgumentException", async () =>
    expectError(client.send(new ListStreamsCommand({ MaxResults: 0 })), "InvalidArgumentException", 400));
}
