// The product icon: media/icon.svg (the source) rendered by Debian's Chromium into media/icon.png,
// the 128×128 PNG the Marketplace and the Extensions view show (they take no SVG).
//
//   npx tsx scripts/renderIcon.ts                  render media/icon.png   (npm run build:icon)
//   npx tsx scripts/renderIcon.ts --check          fail unless media/icon.png is what the SVG renders to
//   npx tsx scripts/renderIcon.ts --preview FILE   the PNG as VS Code scales it (128, 42, 32, 16 px)
//                                                  on light and dark backgrounds, for a look
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { launchChromium } from './chromium';

export const ICON_SVG = path.join(__dirname, '..', 'media', 'icon.svg');
export const ICON_PNG = path.join(__dirname, '..', 'media', 'icon.png');
export const ICON_SIZE = 128;

/** The SVG rendered at 128×128 with a transparent background, as PNG bytes. */
export async function renderIcon(svg = fs.readFileSync(ICON_SVG)): Promise<Buffer> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: ICON_SIZE, height: ICON_SIZE }, deviceScaleFactor: 1 });
    const src = `data:image/svg+xml;base64,${svg.toString('base64')}`;
    await page.setContent(`<style>html,body{margin:0;background:transparent}img{display:block}</style><img src="${src}" width="${ICON_SIZE}" height="${ICON_SIZE}">`);
    await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    return await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: ICON_SIZE, height: ICON_SIZE } });
  } finally {
    await browser.close();
  }
}

/**
 * The largest difference of any channel of any pixel between two PNGs of the same size (0–255),
 * or Infinity when their sizes differ.
 */
export function maxPixelDifference(a: Buffer, b: Buffer): number {
  const [pa, pb] = [PNG.sync.read(a), PNG.sync.read(b)];
  if (pa.width !== pb.width || pa.height !== pb.height) return Infinity;
  let max = 0;
  for (let i = 0; i < pa.data.length; i++) max = Math.max(max, Math.abs(pa.data[i] - pb.data[i]));
  return max;
}

/** The committed PNG scaled as the workbench shows it, on the default light and dark themes' backgrounds. */
async function preview(file: string): Promise<void> {
  const png = `data:image/png;base64,${fs.readFileSync(ICON_PNG).toString('base64')}`;
  const row = (background: string) =>
    `<div style="background:${background};display:flex;gap:24px;align-items:center;padding:16px">` +
    [128, 42, 32, 16].map((s) => `<img src="${png}" width="${s}" height="${s}">`).join('') +
    '</div>';
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 340, height: 4 * 160 }, deviceScaleFactor: 1 });
    // Light Modern's and Dark Modern's side bar, then plain white and black.
    await page.setContent(`<body style="margin:0">${['#f8f8f8', '#181818', '#ffffff', '#000000'].map(row).join('')}</body>`);
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await browser.close();
  }
}

async function main(): Promise<number> {
  const previewAt = process.argv.indexOf('--preview');
  if (previewAt >= 0) {
    const file = path.resolve(process.argv[previewAt + 1] ?? 'icon-preview.png');
    await preview(file);
    console.log(`wrote ${file}`);
    return 0;
  }
  const rendered = await renderIcon();
  if (process.argv.includes('--check')) {
    const diff = fs.existsSync(ICON_PNG) ? maxPixelDifference(rendered, fs.readFileSync(ICON_PNG)) : Infinity;
    if (diff > 0) {
      console.error(`media/icon.png is not what media/icon.svg renders to (largest channel difference ${diff}): run \`npm run build:icon\` and commit it`);
      return 1;
    }
    console.log('media/icon.png is what media/icon.svg renders to');
    return 0;
  }
  fs.writeFileSync(ICON_PNG, rendered);
  console.log(`wrote ${path.relative(process.cwd(), ICON_PNG)} (${ICON_SIZE}×${ICON_SIZE})`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
