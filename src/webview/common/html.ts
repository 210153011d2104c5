// The insight panels' HTML shell (dashboard, report, explorer). Pure, like the pad's: a strict
// CSP (our nonce'd script, our stylesheet, nothing else; no eval, no inline styles in markup),
// one stylesheet, one script that builds the UI into #app.

export interface InsightHtmlOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function insightHtml({ cspSource, nonce, scriptUri, styleUri, title }: InsightHtmlOptions): string {
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
  <div id="app" class="insights"></div>
  <script nonce="${escapeHtml(nonce)}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
