// The Digit Pad's HTML shell. Pure (no DOM, no vscode) so the extension and a browser test
// harness produce exactly the same page: a strict CSP (nothing but our nonce'd script, our
// stylesheet and data: images for the 28×28 preview), one stylesheet, one script; the script
// builds the UI into #app.

export interface PadHtmlOptions {
  /** `webview.cspSource`: the origin our script and stylesheet are served from. */
  cspSource: string;
  /** A fresh random nonce for this page load. */
  nonce: string;
  /** URI of dist/webview/pad.js (as a webview URI). */
  scriptUri: string;
  /** URI of media/pad.css (as a webview URI). */
  styleUri: string;
}

export function padHtml({ cspSource, nonce, scriptUri, styleUri }: PadHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${escapeAttr(styleUri)}" rel="stylesheet">
  <title>Digit Pad</title>
</head>
<body>
  <div id="app" class="pad-app"></div>
  <script nonce="${escapeAttr(nonce)}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>`;
}

/** A 32-character random nonce (alphanumeric), from a CSPRNG when one is available. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let nonce = '';
  for (const b of bytes) nonce += chars[b % chars.length];
  return nonce;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
