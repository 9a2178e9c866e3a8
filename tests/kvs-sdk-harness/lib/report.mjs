// Check bookkeeping for the harness: one JSON line per check on stdout, a summary on stderr.
// The xunit side parses stdout line by line, so nothing but check lines may go there.
import * as sdk from "@aws-sdk/client-kinesis-video";

const results = [];

/** Records one check and prints its line at once (a hung later step must not hide earlier results). */
export function report(check, ok, detail = "") {
  const line = { check, ok: Boolean(ok), detail: String(detail) };
  results.push(line);
  process.stdout.write(JSON.stringify(line) + "\n");
  return line.ok;
}

/** Thrown inside a check body to fail it with a readable reason. */
export class CheckFailure extends Error {}

export function expect(condition, message) {
  if (!condition) {
    throw new CheckFailure(message);
  }
}

export function expectEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new CheckFailure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Describes any thrown value the way the SDK surfaced it: name, HTTP status, message. */
export function describeError(err) {
  if (err instanceof CheckFailure) {
    return err.message;
  }
  const status = err?.$metadata?.httpStatusCode;
  const code = err?.code ? ` (${err.code})` : "";
  return `${err?.name ?? "Error"}${status ? ` HTTP ${status}` : ""}${code}: ${err?.message ?? String(err)}`;
}

/**
 * Runs one check: the body returns a detail string on success or throws. Any exception fails this check
 * only, so one broken operation never hides the results of the others.
 */
export async function check(name, body) {
  try {
    const detail = await body();
    return report(name, true, detail ?? "");
  } catch (err) {
    return report(name, false, describeError(err));
  }
}

/**
 * Expects the call to fail with the named exception (as the SDK surfaces it: `err.name`) and, when given,
 * the HTTP status. Also checks what a caller relies on in an error: a message and a request id. `sdkModule` is the
 * client package whose exception class the error must be (each AWS SDK client has its own classes).
 */
export async function expectError(promise, name, status, sdkModule = sdk) {
  let result;
  try {
    result = await promise;
  } catch (err) {
    if (err instanceof CheckFailure) {
      throw err;
    }
    const got = err?.name;
    const gotStatus = err?.$metadata?.httpStatusCode;
    expect(got === name, `expected ${name}${status ? ` HTTP ${status}` : ""}, got ${describeError(err)}`);
    // The modelled class, not a generic ServiceException that merely carries the name: callers write
    // `catch (e) { if (e instanceof ResourceNotFoundException) … }`.
    expect(typeof sdkModule[name] === "function" && err instanceof sdkModule[name], `${name} is not an instance of the SDK's ${name} class`);
    if (status !== undefined) {
      expect(gotStatus === status, `${name}: expected HTTP ${status}, got HTTP ${gotStatus}`);
    }
    expect(typeof err.message === "string" && err.message.length > 0 && err.message !== "UnknownError",
      `${name}: the error carries no message (send {"Message": "..."})`);
    expect(err.$metadata?.requestId, `${name}: no x-amzn-RequestId on the error response`);
    return `${name} HTTP ${gotStatus}: ${err.message}`;
  }
  throw new CheckFailure(`expected ${name}, but the call succeeded: ${JSON.stringify(stripMetadata(result))}`);
}

export function stripMetadata(output) {
  if (output && typeof output === "object") {
    const { $metadata, ...rest } = output;
    return rest;
  }
  return output;
}

export function summary() {
  const failed = results.filter((r) => !r.ok);
  return { total: results.length, passed: results.length - failed.length, failed: failed.map((r) => r.check) };
}
