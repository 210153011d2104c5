// Turns the output of a failed `npm install @tensorflow/tfjs-node` into one sentence naming the
// cause. npm fails in two places: fetching packages from the registry (npm's own `npm error`
// lines), and tfjs-node's install script, which downloads libtensorflow (the TensorFlow C
// library) and the native addon from storage.googleapis.com and prints Node's errors.

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'no network connection, or this machine cannot resolve that host name',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was cut',
  ETIMEDOUT: 'the connection timed out',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the host is unreachable',
  ECONNABORTED: 'the connection was aborted',
};

const CERT_CODES = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
];

/** One sentence (no final full stop) saying why `npm install <packageName>` failed. */
export function explainNpmFailure(output: string, packageName: string): string {
  const text = output.replace(/\r\n/g, '\n');
  // Everything after the install script's banner ("> @tensorflow/tfjs-node@4.22.0 install") is its doing.
  const scriptStart = text.search(new RegExp(`^> ${escape(packageName)}@\\S+ install`, 'm'));
  const script = scriptStart >= 0 ? text.slice(scriptStart) : '';
  // The script prints its banner to stderr and the URL to stdout: they need not be adjacent.
  const downloading = /\* Downloading libtensorflow/.test(script);
  const libtensorflow = downloading ? (/(https?:\/\/\S*libtensorflow\S*)/.exec(script)?.[1] ?? /(https?:\/\/\S+)/.exec(script)?.[1] ?? '') : undefined;
  const addon = /\* Building TensorFlow Node\.js bindings/.test(script);
  const failedHost = /getaddrinfo \w+ ([\w.-]+)/.exec(script)?.[1];
  const what = libtensorflow !== undefined
    ? `${packageName}'s install script could not download libtensorflow (the TensorFlow C library) from ${(libtensorflow && hostOf(libtensorflow)) || failedHost || 'its download host'}`
    : addon
      ? `${packageName}'s install script could not get its native addon`
      : scriptStart >= 0
        ? `${packageName}'s install script failed`
        : undefined;

  const network = new RegExp(`\\b(${Object.keys(NETWORK_CODES).join('|')})\\b`).exec(script || text)?.[1];
  if (network) {
    const host = /getaddrinfo \w+ ([\w.-]+)/.exec(script || text)?.[1] ?? /connect \w+ ([\w.:[\]-]+)/.exec(script || text)?.[1] ?? registryHost(text);
    const cause = `${network}: ${NETWORK_CODES[network]}`;
    return what ? `${what} (${cause})` : `npm could not reach the package registry${host ? ` ${host}` : ''} (${cause})`;
  }
  const cert = new RegExp(`\\b(${CERT_CODES.join('|')})\\b`).exec(text)?.[1];
  if (cert) {
    return `${what ?? 'npm could not reach the package registry'}: the HTTPS certificate was not trusted (${cert}; a proxy that inspects HTTPS needs its certificate in npm's "cafile" setting and in NODE_EXTRA_CA_CERTS)`;
  }
  if (libtensorflow !== undefined && /TAR_BAD_ARCHIVE|incorrect header check|Z_DATA_ERROR|unexpected end of file|invalid (tar|zip)/i.test(script)) {
    return `${what}: the server answered with something other than the archive (the download was refused, or a proxy replaced it)`;
  }
  const unsupported = /Unsupported system: (\S+)/.exec(text)?.[1];
  if (unsupported) return `${packageName} has no build for this system (${unsupported})`;
  const httpStatus = /^npm error code E(4\d\d|5\d\d)\b/m.exec(text)?.[1];
  if (httpStatus) {
    const request = /^npm error \d{3} ([^\n]*? - (?:GET|PUT) \S+)/m.exec(text)?.[1];
    const meaning = httpStatus === '404' ? 'not found' : httpStatus === '403' ? 'the download was refused' : httpStatus === '401' ? 'the registry wants a login' : `HTTP ${httpStatus}`;
    return `the package registry answered ${httpStatus} (${meaning})${request ? `: ${request}` : ''}`;
  }
  const notarget = /^npm error notarget (No matching version found for [^\n]*?)\.?$/m.exec(text)?.[1];
  if (notarget) return `the package registry has ${notarget.replace(/^No/, 'no')}`;
  if (/\bENOSPC\b/.test(text)) return 'the disk is full (ENOSPC)';
  const denied = /\b(EACCES|EPERM)\b/.exec(text)?.[1];
  if (denied) {
    const where = new RegExp(`\\b${denied}\\b[^\\n]*?'([^']+)'`).exec(text)?.[1];
    return `permission denied (${denied}${where ? ` on ${where}` : ''})`;
  }
  if (/node-pre-gyp install failed|gyp ERR!/.test(script)) {
    const detail = /^gyp ERR! (?:stack )?(Error: [^\n]+)/m.exec(script)?.[1] ?? /node-pre-gyp install failed with error: ([^\n]+)/.exec(script)?.[1];
    return `${packageName}'s native addon could not be downloaded or built${detail ? ` (${detail.trim()})` : ''}`;
  }
  const detail = lastMeaningfulLine(script) ?? firstNpmError(text) ?? lastMeaningfulLine(text);
  return `${what ?? 'npm failed'}${detail ? `: ${detail}` : ''}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function registryHost(text: string): string | undefined {
  const url = /request to (https?:\/\/[^\s/]+)/.exec(text)?.[1];
  return url && hostOf(url);
}

/** The first `npm error` line that says something (not its code, path, command or log location). */
function firstNpmError(text: string): string | undefined {
  for (const match of text.matchAll(/^npm error (.+)$/gm)) {
    const line = match[1].trim();
    if (!/^(code|errno|syscall|path|command|signal|A complete log|network|\d{3}\b|$)/.test(line)) return line;
  }
  return undefined;
}

/** The install script's last line that is not a stack frame, npm's epilogue or a Node version banner. */
function lastMeaningfulLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^(at |npm |node:|Node\.js v|\^|\}|\{|Emitted |throw |[\w$]+: )/.test(l));
  return lines[lines.length - 1];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
