// The unchanged AWS SDK v3 clients, pointed at the server under test the way a user would: an endpoint
// override, a region for the signature, and credentials that mean nothing (the server accepts any SigV4).
// The control-plane client talks to --endpoint; the media clients to what GetDataEndpoint returned.
import { KinesisVideoClient } from "@aws-sdk/client-kinesis-video";
import { KinesisVideoArchivedMediaClient } from "@aws-sdk/client-kinesis-video-archived-media";
import { KinesisVideoMediaClient } from "@aws-sdk/client-kinesis-video-media";
import { setTimeout as sleep } from "node:timers/promises";

export const dummyCredentials = {
  accessKeyId: "AKIDVIDEOSTREAMSTEST",
  secretAccessKey: "videostreams-harness-dummy-secret-key",
};

export function createClient({ endpoint, region }) {
  return create(KinesisVideoClient, endpoint, region);
}

/** GetMedia's client (@aws-sdk/client-kinesis-video-media) at a data endpoint. */
export function createMediaClient(endpoint, { region }) {
  return create(KinesisVideoMediaClient, endpoint, region);
}

/** ListFragments' and GetMediaForFragmentList's client (@aws-sdk/client-kinesis-video-archived-media). */
export function createArchivedMediaClient(endpoint, { region }) {
  return create(KinesisVideoArchivedMediaClient, endpoint, region);
}

function create(Client, endpoint, region) {
  const client = new Client({
    endpoint,
    region,
    credentials: dummyCredentials,
    // One attempt: the harness judges the server's first answer. The SDK's retries would turn a flaky 5xx into
    // a pass and a refused connection into a long back-off.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
  });
  return paced(client);
}

/**
 * KVS limits some operations to 5 TPS per stream and answers ClientLimitExceededException beyond that; the SDK
 * does not treat that as a throttle to retry. A real caller backs off and tries again, so the harness does the
 * same (a few times, briefly) rather than failing an unrelated check on a throttled call.
 */
function paced(client) {
  const send = client.send.bind(client);
  client.throttledCalls = 0;
  client.send = async (command, ...rest) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(command, ...rest);
      } catch (err) {
        if (err?.name !== "ClientLimitExceededException" || attempt >= 5) {
          throw err;
        }
        client.throttledCalls++;
        await sleep(250 * (attempt + 1));
      }
    }
  };
  return client;
}

/** True when the error never reached the server (refused, reset, timed out): there is no HTTP status. */
export function isNetworkError(err) {
  return err?.$metadata?.httpStatusCode === undefined;
}
