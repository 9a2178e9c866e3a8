// Command line: --endpoint URL (required), --region, --data-endpoint URL, --timeout SECONDS, --suite, and the
// media suite's description of what was ingested before the run (--media-stream, --media-file, ...).
import { existsSync } from "node:fs";

const usage = `usage: node run.mjs --endpoint http://127.0.0.1:PORT [--region us-east-1]
                   [--data-endpoint URL (what GetDataEndpoint must return; default: the endpoint)]
                   [--timeout SECONDS (whole run; default 180)]
                   [--suite all|control-plane|media|playback (default all; media and playback run only with --media-stream)]
                   [--media-stream NAME (a stream holding only the media PutMedia'd before the run)]
                   [--media-file PATH (the MKV that was sent: clusters must read back byte-identical)]
                   [--media-fragments N1,N2,... (the fragment numbers PutMedia acked PERSISTED)]
                   [--producer-start SECONDS (x-amzn-producer-start-timestamp of a RELATIVE PutMedia)]`;

const suites = ["all", "control-plane", "media", "playback"];

export function parseArgs(argv) {
  const options = { region: "us-east-1", timeoutSeconds: 180, suite: "all" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--endpoint": options.endpoint = value(); break;
      case "--region": options.region = value(); break;
      case "--data-endpoint": options.dataEndpoint = value(); break;
      case "--timeout": options.timeoutSeconds = Number(value()); break;
      case "--suite": options.suite = value(); break;
      case "--media-stream": options.mediaStream = value(); break;
      case "--media-file": options.mediaFile = value(); break;
      case "--media-fragments": options.mediaFragments = (value() ?? "").split(",").filter(Boolean); break;
      case "--producer-start": options.producerStart = Number(value()); break;
      case "--help": case "-h": return { help: usage };
      default: return { error: `unknown argument ${arg}\n${usage}` };
    }
  }
  if (!options.endpoint) {
    return { error: `--endpoint is required\n${usage}` };
  }
  try {
    new URL(options.endpoint);
  } catch {
    return { error: `--endpoint is not a URL: ${options.endpoint}` };
  }
  if (!(options.timeoutSeconds > 0)) {
    return { error: "--timeout must be a positive number of seconds" };
  }
  if (!suites.includes(options.suite)) {
    return { error: `--suite must be one of ${suites.join(", ")}` };
  }
  if ((options.suite === "media" || options.suite === "playback") && !options.mediaStream) {
    return { error: `--suite ${options.suite} needs --media-stream\n${usage}` };
  }
  if (options.mediaFile && !existsSync(options.mediaFile)) {
    return { error: `--media-file ${options.mediaFile} does not exist` };
  }
  if (options.mediaFragments?.some((n) => !/^[0-9]{1,128}$/.test(n))) {
    return { error: "--media-fragments must be comma-separated fragment numbers" };
  }
  if (options.producerStart !== undefined && !(options.producerStart >= 0)) {
    return { error: "--producer-start must be epoch seconds" };
  }
  options.dataEndpoint = normalizeBaseUrl(options.dataEndpoint ?? options.endpoint);
  return { options };
}

/** A base URL without a trailing slash, so "http://h:1/" and "http://h:1" compare equal. */
export function normalizeBaseUrl(url) {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}
