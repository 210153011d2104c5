// Playwright helpers for end-to-end tests: a real VS Code workbench (code-server) in Debian's
// Chromium with this extension installed: by default the project folder itself is linked into
// the extensions folder (it runs the project's dist/, so `npm run build` first; npm run test:e2e
// does), or a packaged .vsix, or development mode (see OpenWorkbenchOptions.mode).
//
//   const wb = await openWorkbench({ folder });
//   await runCommand(wb.page, 'Digit Recognizer: Open Digit Pad');
//   await waitForNotification(wb.page, /not yet available/);
//   const pad = await findWebviewFrame(wb.page, (f) => f.locator('canvas').count().then((n) => n > 0));
//   await screenshot(wb.page, 'pad');
//   await wb.close();
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium';
import { type CodeServer, PROJECT_ROOT, startCodeServer } from '../../scripts/codeServer';
import { packageVsix } from '../../scripts/package';

export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, 'test-artifacts');
export interface OpenWorkbenchOptions {
  /** Folder the workbench opens (default: a fresh temporary folder, removed by close()). */
  folder?: string;
  /** `workbench.colorTheme`, e.g. 'Default Dark Modern', 'Default Light Modern', 'Default High Contrast'. */
  theme?: string;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /**
   * How the extension gets there:
   * - 'installed' (default): the project folder is symlinked into the extensions folder, a real
   *   install of the built project; user settings, e.g. the theme, apply as for a user.
   * - 'development': the `extensionDevelopmentPath` payload ("[Extension Development Host]");
   *   note that code-server's web workbench then ignores `workbench.colorTheme` (Light+ stays).
   * - 'vsix': installs `vsix` with `--install-extension` before the server starts.
   * - 'none': no extension of ours; a test installs it in the workbench, as a user does
   *   (installVsixFromWorkbench).
   */
  mode?: 'installed' | 'development' | 'vsix' | 'none';
  /** The .vsix for mode 'vsix'. */
  vsix?: string;
  /** Browser viewport (default 1280×800). */
  viewport?: { width: number; height: number };
}

export interface Workbench {
  page: Page;
  browser: Browser;
  server: CodeServer;
  folder: string;
  /** Browser console errors and uncaught page errors seen so far. */
  errors: string[];
  /** Closes the browser and stops the server (safe to call twice). */
  close(): Promise<void>;
}

/** Starts code-server, opens the workbench in Chromium and waits until it and the extension are ready. */
export async function openWorkbench(opts: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const tempFolder = opts.folder ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'digit-e2e-'));
  const folder = path.resolve(opts.folder ?? tempFolder!);
  const settings = { ...opts.settings, ...(opts.theme ? { 'workbench.colorTheme': opts.theme } : {}) };
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const removeFolder = () => tempFolder && fs.rmSync(tempFolder, { recursive: true, force: true });
  process.on('exit', removeFolder); // also after Ctrl+C
  const close = async () => {
    await browser?.close().catch(() => {});
    browser = undefined;
    await server?.stop();
    removeFolder();
    process.off('exit', removeFolder);
  };
  try {
    const mode = opts.mode ?? (opts.vsix ? 'vsix' : 'installed');
    if (mode === 'vsix' && !opts.vsix) throw new Error("openWorkbench: mode 'vsix' needs the vsix option");
    server = await startCodeServer({
      folder,
      extensionDevelopmentPath: mode === 'development' ? PROJECT_ROOT : undefined,
      linkExtensions: mode === 'installed' ? [PROJECT_ROOT] : undefined,
      installExtensions: mode === 'vsix' ? [opts.vsix!] : undefined,
      settings,
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.workbenchUrl(mode === 'development' ? server.developmentPayload() : undefined));
    await waitForWorkbench(page);
    const b = browser;
    return { page, browser: b, server, folder, errors, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Waits until the workbench is laid out (extensions may still be registering: see waitForCommand). */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer shows the folder once the workspace is restored.
  await page.locator('.explorer-folders-view, .part.sidebar .pane-body').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Opens the command palette (Ctrl+Shift+P) and types `>` + text; returns the quick-input widget.
 * Retries the whole open: an editor that opens late (a walkthrough at start-up) takes focus and
 * closes the palette, also between its showing and the typing (seen in CI).
 */
export async function openCommandPalette(page: Page, text = ''): Promise<Locator> {
  const widget = page.locator('.quick-input-widget');
  for (let attempt = 0; ; attempt++) {
    try {
      await page.keyboard.press(attempt % 2 === 1 ? 'F1' : 'Control+Shift+P');
      await widget.waitFor({ state: 'visible', timeout: 5_000 });
      await widget.locator('input').fill(`>${text}`, { timeout: 5_000 });
      return widget;
    } catch (err) {
      if (attempt === 5) throw err;
      await page.waitForTimeout(500);
    }
  }
}

/** The palette rows whose label is exactly `title` (e.g. 'Digit Recognizer: Open Digit Pad'). */
export function paletteRow(page: Page, title: string): Locator {
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exactly(title) }) })
    .first();
}

/**
 * Opens the palette with `title` typed until the command's row shows, and leaves it open.
 * Retries: right after start-up the palette opens before extensions have contributed their
 * commands, and an open palette does not refresh.
 */
export async function waitForCommand(page: Page, title: string, timeoutMs = 60_000): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await openCommandPalette(page, title);
    const row = paletteRow(page, title);
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      return row;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`command "${title}" not in the command palette after ${timeoutMs} ms`, { cause: err });
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/** Runs a command by its palette title, e.g. 'Digit Recognizer: Open Digit Pad' (Ctrl+Shift+P, title, its row). */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await waitForCommand(page, title, Math.max(1_000, deadline - Date.now()));
    try {
      await row.click({ timeout: 5_000 });
      break;
    } catch (err) {
      // An editor that opens late (Get Started's page) takes focus and the palette closes
      // between finding the row and clicking it: open it again.
      if (Date.now() > deadline) throw err;
    }
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Waits for a notification toast whose text matches; returns its text. */
export async function waitForNotification(page: Page, text: RegExp | string, timeoutMs = 30_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  // Fully faded in, so a screenshot shows it.
  await page.locator('.notifications-toasts .notification-toast.notification-fade-in-done').filter({ hasText: text }).first().waitFor({ timeout: 5_000 }).catch(() => {});
  return (await toast.innerText()).trim();
}

/**
 * Finds the frame of a webview's document. A webview is an `iframe.webview` whose document holds
 * the real content in a nested `#active-frame`: this searches every frame of the page until
 * `predicate` says yes (e.g. `async (f) => (await f.locator('canvas').count()) > 0`).
 */
export async function findWebviewFrame(
  page: Page,
  predicate: (frame: Frame) => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      try {
        if (await predicate(frame)) return frame;
      } catch {
        /* frame navigating or detached meanwhile */
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no webview frame matched within ${timeoutMs} ms; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
    }
    await page.waitForTimeout(250);
  }
}

/** Saves a full-window PNG as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

const README_IMAGES = path.join(PROJECT_ROOT, 'docs', 'images');

/**
 * Copies a screenshot to docs/images (the README's) or another project folder (e.g. the
 * walkthrough's media/walkthrough) when UPDATE_README_IMAGES=1, so ordinary test runs never
 * modify committed files.
 */
export async function publishScreenshot(file: string, name: string, folder = README_IMAGES): Promise<void> {
  if (process.env.UPDATE_README_IMAGES !== '1') return;
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(file, path.join(folder, name));
}

/** A row of the open quick pick whose label contains `text`. */
export function quickPickRow(page: Page, text: string): Locator {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: text }) }).first();
}

/** Closes every notification toast (a clean picture). */
export async function dismissNotifications(page: Page, options: { keep?: RegExp } = {}): Promise<void> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  for (let i = (await toasts.count()) - 1; i >= 0; i--) {
    // Clearing a toast removes it from the notification centre too: a kept one stays there.
    if (options.keep && options.keep.test(await toasts.nth(i).innerText().catch(() => ''))) continue;
    await toasts.nth(i).hover().catch(() => {});
    await toasts.nth(i).locator('.codicon-notifications-clear, .codicon-close').first().click({ timeout: 2_000 }).catch(() => {});
  }
}

/** An extension's row in Developer: Show Running Extensions. */
export interface RunningExtension {
  /** The row's activation figure: code loading + the activate() call, in ms (VS Code's own timing). */
  activationMs: number;
  /** Whether VS Code counts it as a start-up activation. */
  startup: boolean;
  /** What activated it, from the figure's hover, e.g. "Activated by … on onCommand:…" or "… because a file matching … exists in your workspace". */
  activatedBy: string;
}

/**
 * Opens Developer: Show Running Extensions and reads the row of the extension displayed as
 * `displayName`; undefined when it is not running (the list shows only activated extensions).
 * Leaves the editor open.
 */
export async function runningExtension(page: Page, displayName: string): Promise<RunningExtension | undefined> {
  await runCommand(page, 'Developer: Show Running Extensions');
  const list = page.locator('.runtime-extensions-editor .monaco-list');
  await list.locator('.monaco-list-row').first().waitFor({ timeout: 30_000 }); // the built-in extensions are always there
  const row = list.locator('.monaco-list-row').filter({ has: page.locator('.name', { hasText: exactly(displayName) }) });
  if ((await row.count()) === 0) return undefined;
  const time = row.first().locator('.activation-time');
  await time.filter({ hasText: /\d+ms/ }).waitFor({ timeout: 30_000 }); // "Activating..." first
  const text = await time.innerText();
  const ms = Number(/(\d+)ms/.exec(text)![1]);
  await time.hover();
  const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /Activated by/ }).first();
  await hover.waitFor({ timeout: 10_000 });
  const activatedBy = (await hover.innerText()).trim();
  await page.mouse.move(0, 0);
  return { activationMs: ms, startup: /^Startup/.test(text), activatedBy };
}

let packaged: string | undefined;

/**
 * The extension packaged as `npm run package` does (production build, package.json's "files"),
 * once per test process, into a temporary folder removed when the process exits: the project's
 * own digit-recognizer.vsix is left alone.
 */
export function packagedVsix(): string {
  if (packaged) return packaged;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digit-e2e-vsix-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const vsix = path.join(dir, 'digit-recognizer.vsix');
  packageVsix(vsix, { quiet: true });
  return (packaged = vsix);
}

/**
 * Installs a .vsix as a user does in the running workbench: Extensions: Install from VSIX…, its
 * path typed into the file dialog, Install; waits for VS Code's "Completed installing" message.
 */
export async function installVsixFromWorkbench(page: Page, vsix: string): Promise<void> {
  await (await waitForCommand(page, 'Extensions: Install from VSIX...')).click();
  // The palette gives way to the file dialog, a quick input of its own.
  const dialog = page.locator('.quick-input-widget').filter({ has: page.locator('.quick-input-title', { hasText: 'Install from VSIX' }) });
  await dialog.waitFor({ timeout: 15_000 });
  // The dialog fills in its starting folder itself, possibly after our path: type until it stays.
  const input = dialog.locator('input');
  for (let attempt = 0; ; attempt++) {
    await page.waitForTimeout(500);
    await input.fill(vsix);
    await page.waitForTimeout(500);
    if ((await input.inputValue()) === vsix) break;
    if (attempt === 5) throw new Error(`the Install from VSIX dialog did not keep the path ${vsix}`);
  }
  await dialog.locator('a.monaco-button', { hasText: /^Install$/ }).click();
  await waitForNotification(page, /Completed installing extension/, 120_000);
}
