// Command line: --endpoint URL (required), --region, --data-endpoint URL, --timeout SECONDS.

const usage = `usage: node run.mjs --endpoint http://127.0.0.1:PORT [--region us-east-1]
                   [--data-endpoint URL (what GetDataEndpoint must return; default: the endpoint)]
                   [--timeout SECONDS (whole run; default 180)]`;

export function parseArgs(argv) {
  const options = { region: "us-east-1", timeoutSeconds: 180 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--endpoint": options.endpoint = value(); break;
      case "--region": options.region = value(); break;
      case "--data-endpoint": options.dataEndpoint = value(); break;
      case "--timeout": options.timeoutSeconds = Number(value()); break;
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
  options.dataEndpoint = normalizeBaseUrl(options.dataEndpoint ?? options.endpoint);
  return { options };
}

/** A base URL without a trailing slash, so "http://h:1/" and "http://h:1" compare equal. */
export function normalizeBaseUrl(url) {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}
