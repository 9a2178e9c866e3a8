// GetDataEndpoint: this server's base URL for every APIName (KVS-API §1.1, §2).
import { APIName, GetDataEndpointCommand } from "@aws-sdk/client-kinesis-video";
import { normalizeBaseUrl } from "./args.mjs";
import { check, expect, expectEqual, expectError } from "./report.mjs";
import { requireStream } from "./streams.mjs";

// Listed here rather than taken from the SDK's enum alone, so a name dropped from the SDK shows up as a failure.
const apiNames = [
  "PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS", "GET_MEDIA_FOR_FRAGMENT_LIST",
  "GET_HLS_STREAMING_SESSION_URL", "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES",
];

export async function endpointChecks(ctx) {
  const { client, options } = ctx;

  for (const [i, name] of apiNames.entries()) {
    await check(`GetDataEndpoint: ${name} returns the server's base URL`, async () => {
      const main = requireStream(ctx.main);
      expect(Object.values(APIName).includes(name), `the SDK does not know APIName ${name}`);
      // Alternate name and ARN so both request forms are covered.
      const ref = i % 2 === 0 ? { StreamName: main.name } : { StreamARN: main.arn };
      const { DataEndpoint } = await client.send(new GetDataEndpointCommand({ ...ref, APIName: name }));
      expect(typeof DataEndpoint === "string" && DataEndpoint.length > 0, "no DataEndpoint in the response");
      expectEqual(normalizeBaseUrl(DataEndpoint), options.dataEndpoint, "DataEndpoint");
      return `${DataEndpoint} (by ${Object.keys(ref)[0]})`;
    });
  }

  await check("GetDataEndpoint: an unknown APIName is InvalidArgumentException", async () =>
    expectError(client.send(new GetDataEndpointCommand({ StreamName: requireStream(ctx.main).name, APIName: "NOT_AN_API" })),
      "InvalidArgumentException", 400));

  await check("GetDataEndpoint: an unknown stream is ResourceNotFoundException (404)", async () =>
    expectError(client.send(new GetDataEndpointCommand({ StreamName: `${ctx.run}-missing`, APIName: "GET_MEDIA" })),
      "ResourceNotFoundException", 404));
}
