// End-to-end: the packaged .vsix (as `npm run package` makes it) installed into a real VS Code
// (code-server) the way an install from the Marketplace leaves it, seen in Chromium: its icon in
// the Extensions view and on its page; it starts only where it is useful — not in a folder without
// Kaggle's CSVs (Developer: Show Running Extensions does not list it, no status bar item) until a
// command of its own runs, and by itself in a folder that holds train.csv and test.csv, where the
// status bar offers to train. That the walkthrough opens once on install is getStarted.e2e.ts.
// Needs no data: the CSVs here are stand-ins with Kaggle's names (activation looks at names).
// Screenshots go to test-artifacts/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import pkg from '../../package.json';
import { tempDir } from '../support/data';
import { findWebviewFrame, openWorkbench, packagedVsix, runCommand, runningExtension, screenshot, waitForCommand, type Workbench } from './workbench';

const NAME = pkg.displayName;

/** Waits until the workbench has registered the extension's contributions (its commands are in the palette). */
async function waitForContributions(page: Page): Promise<void> {
  await waitForCommand(page, `${NAME}: Get Started`);
  await page.keyboard.press('Escape');
}

describe('the .vsix installed, as from the Marketplace', function () {
  this.timeout(5 * 60_000);
  let wb: Workbench | undefined;
  const folders: string[] = [];
  const newFolder = (prefix: string) => {
    folders.push(tempDir(prefix));
    return folders[folders.length - 1];
  };

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `failed-${this.currentTest.fullTitle()}`);
  });

  after(async () => {
    await wb?.close();
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  describe('in a folder without Kaggle data', () => {
    before(async () => {
      const folder = newFolder('digit-e2e-market-');
      wb = await openWorkbench({ folder, vsix: packagedVsix(), theme: 'Default Dark Modern' });
      await waitForContributions(wb.page);
    });

    after(async () => {
      await wb?.close();
      wb = undefined;
    });

    it('shows its icon in the Extensions view and on its page (screenshots)', async () => {
      const page = wb!.page;
      // The Extensions view (Ctrl+Shift+X), its search focused: the installed ones.
      await page.keyboard.press('Control+Shift+X');
      await page.locator('.extensions-viewlet .suggest-input-container.synthetic-focus').waitFor({ timeout: 15_000 });
      await page.keyboard.type('@installed');
      await page.keyboard.press('Escape'); // the filter's suggestions
      await page.waitForTimeout(1000); // the list is re-queried after typing stops
      const row = page.locator('.extensions-viewlet .monaco-list-row').filter({ has: page.locator('.name', { hasText: NAME }) }).first();
      await row.waitFor({ timeout: 30_000 });
      const icon = row.locator('img.icon');
      await assertIconShown(icon);
      await screenshot(page, 'extensions-view-icon');
      await row.click();
      const header = page.locator('.extension-editor .header img.icon');
      await header.waitFor({ timeout: 30_000 });
      await assertIconShown(header);
      await page.locator('.extension-editor .header .name', { hasText: NAME }).waitFor();
      // Its Details tab: the README, rendered in a webview.
      await findWebviewFrame(page, async (f) => (await f.locator('h1', { hasText: 'Digit Recognizer for VS Code' }).count()) > 0);
      await screenshot(page, 'extension-page-icon');
    });

    it('has not started: not among the running extensions, no status bar item', async () => {
      const page = wb!.page;
      await page.waitForTimeout(3000); // start-up is over: anything activated at start-up is running by now
      assert.strictEqual(await runningExtension(page, NAME), undefined, 'it started in a folder with nothing for it');
      assert.strictEqual(await page.locator('.statusbar-item', { hasText: /digit model/i }).count(), 0);
      await screenshot(page, 'running-extensions-without-data');
    });

    it('starts on its first command (Get Started)', async () => {
      const page = wb!.page;
      await runCommand(page, `${NAME}: Get Started`);
      await page.locator('.gettingStartedContainer h2.category-title', { hasText: 'Get Started with Digit Recognizer' }).waitFor({ timeout: 30_000 });
      const running = await runningExtension(page, NAME);
      assert.ok(running, 'not running after its command');
      console.log(`      activation ${running.activationMs} ms — ${running.activatedBy}`);
      assert.match(running.activatedBy, /digitRecognizer\.getStarted|onWalkthrough:getStarted/);
      assert.strictEqual(running.startup, false);
    });
  });

  describe("in a folder with Kaggle's train.csv and test.csv", () => {
    before(async () => {
      const folder = newFolder('digit-e2e-market-data-');
      fs.writeFileSync(path.join(folder, 'train.csv'), `label,${pixelHeader()}\n1,${zeros()}\n`);
      fs.writeFileSync(path.join(folder, 'test.csv'), `${pixelHeader()}\n${zeros()}\n`);
      // VS Code's default: walkthroughs may open on install (this one was installed before the start).
      wb = await openWorkbench({ folder, vsix: packagedVsix(), theme: 'Default Dark Modern', settings: { 'workbench.welcomePage.walkthroughs.openOnInstall': true } });
    });

    it('starts by itself (workspaceContains), the status bar offers to train, and it opens no walkthrough', async () => {
      const page = wb!.page;
      // No command run, nothing opened: the item comes from the activation the CSVs caused.
      const item = page.locator('.statusbar-item', { hasText: 'No digit model' }).first();
      await item.waitFor({ timeout: 60_000 });
      const running = await runningExtension(page, NAME);
      assert.ok(running, 'not running');
      console.log(`      activation ${running.activationMs} ms — ${running.activatedBy}`);
      assert.match(running.activatedBy, /because a file matching .*\*\*\/train\.csv.* exists in your workspace/);
      await screenshot(page, 'running-extensions-with-data');
      // Its start opens nothing of its own: only VS Code opens the walkthrough, when it installs it.
      await page.waitForTimeout(3000);
      assert.strictEqual(await page.locator('.tabs-container .tab', { hasText: 'Walkthrough: Digit Recognizer' }).count(), 0);
    });
  });
});

/** The image has loaded the extension's own icon (a 128×128 PNG), not VS Code's default tile. */
async function assertIconShown(icon: ReturnType<Page['locator']>): Promise<void> {
  await icon.waitFor();
  const { src, width, complete } = await icon.evaluate(async (img: HTMLImageElement) => {
    if (!img.complete) await new Promise((r) => img.addEventListener('load', r, { once: true }));
    return { src: img.src, width: img.naturalWidth, complete: img.complete };
  });
  assert.ok(complete);
  assert.match(decodeURIComponent(src), new RegExp(`${pkg.icon.replace(/[.]/g, '\\.')}`), `icon ${src}`);
  assert.strictEqual(width, 128, `icon ${src} is ${width} px wide`);
}

function pixelHeader(): string {
  return Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',');
}

function zeros(): string {
  return new Array(784).fill(0).join(',');
}
