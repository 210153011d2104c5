// The HTML shell of every webview panel (pad, dashboard, report, explorer). Pure (no DOM, no
// vscode) so the extension and a browser test harness produce the same page: a strict CSP
// (nothing but our nonce'd script, our stylesheet and data: images), one stylesheet, one script
// that builds the UI into #app.

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin our script and stylesheet are served from. */
  cspSource: string;
  /** A fresh random nonce for this page load (makeNonce()). */
  nonce: string;
  /** The panel's script and stylesheet, as webview URIs. */
  scriptUri: string;
  styleUri: string;
  title: string;
  /** Class of the #app element the script fills. */
  appClass: string;
}

export function webviewHtml({ cspSource, nonce, scriptUri, styleUri, title, appClass }: WebviewHtmlOptions): string {
  const csp = ["default-src 'none'", `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${escapeHtml(styleUri)}" rel="stylesheet">
  <title>${escapeHtml(title)}</title>
</head>
<body>
  <div id="app" class="${escapeHtml(appClass)}"></div>
  <script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}

/** A 32-character random nonce (alphanumeric) from a CSPRNG. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let nonce = '';
  for (const b of bytes) nonce += chars[b % chars.length];
  return nonce;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
