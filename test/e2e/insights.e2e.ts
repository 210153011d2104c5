// End-to-end: the insight panels in a real VS Code (code-server) in Chromium. Train a small seed
// CNN from the command palette and watch the Training Dashboard draw its curves; evaluate it on
// its validation split (a 10×10 matrix whose total is the row count; a cell shows its images);
// explore the CSV (ten bars). No CSP violations in the console. Screenshots in the dark and light
// themes go to test-artifacts/ and docs/images/ (the README's). Data slices are made at test
// time in a temporary workspace; nothing from the data is committed.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { requireData, slice, tempDir } from '../support/data';
import { ARTIFACTS_DIR, findWebviewFrame, paletteRow, openWorkbench, screenshot, waitForCommand, type Workbench, publishScreenshot as publish } from './workbench';

const ROWS = 1500;
const WORKSPACE_SETTINGS = {
  'digitRecognizer.architecture': 'seed',
  'digitRecognizer.epochs': 2,
  'digitRecognizer.batchSize': 32,
  'digitRecognizer.augment': false,
  'digitRecognizer.validationSplit': 0.2,
  'digitRecognizer.seed': 42,
};

describe('insights: training dashboard, evaluation report, dataset explorer', function () {
  let wb: Workbench | undefined;
  let page: Page;
  let workspace: string;
  let validationRows = 0;

  before(async function () {
    this.timeout(5 * 60_000);
    const dir = requireData(this);
    workspace = tempDir('digit-e2e-insights-');
    fs.copyFileSync(await slice(dir, 'train.csv', ROWS), path.join(workspace, 'train.csv'));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2));
    wb = await openWorkbench({ folder: workspace, theme: 'Default Dark Modern' });
    page = wb.page;
  });

  after(async function () {
    await wb?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `failed-${this.currentTest.fullTitle()}`);
  });

  it('the dashboard opens when training starts and draws loss/accuracy curves during the run', async function () {
    this.timeout(5 * 60_000);
    await runCommandKeepOpen(page, 'Digit Recognizer: Train Model');
    await quickPickRow(page, 'train.csv').click();
    await quickPickRow(page, 'Start training').click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const dash = await findWebviewFrame(page, async (f) => (await f.locator('[data-testid=loss-chart]').count()) > 0, 60_000);
    // During the run: batch points arrive while the status says Training.
    let pointsWhileTraining = 0;
    let liveShot = false;
    const deadline = Date.now() + 180_000;
    for (;;) {
      const status = (await dash.locator('[data-testid=run-status]').innerText()).trim();
      const points = Number(await dash.locator('[data-testid=loss-chart]').getAttribute('data-points'));
      if (status === 'Training' && points > 0) pointsWhileTraining = Math.max(pointsWhileTraining, points);
      if (pointsWhileTraining >= 10 && !liveShot) {
        liveShot = true;
        await screenshot(page, 'insights-dashboard-live');
      }
      if (status === 'Finished') break;
      assert.ok(!['Failed', 'Stopped'].includes(status), `training ended as ${status}`);
      assert.ok(Date.now() < deadline, 'training did not finish in 3 minutes');
      await page.waitForTimeout(250);
    }
    assert.ok(pointsWhileTraining > 0, 'no batch points were drawn while the run was training');
    await dash.locator('[data-testid=loss-chart][data-epochs="2"]').waitFor({ timeout: 10_000 });
    const batches = Math.ceil(Math.round(ROWS * 0.8) / 32) * 2;
    assert.equal(Number(await dash.locator('[data-testid=loss-chart]').getAttribute('data-points')), batches);
    const valAccuracy = (await dash.locator('[data-testid=tile-val-accuracy] .value').innerText()).trim();
    assert.match(valAccuracy, /^\d+\.\d\d%$/);
    assert.ok(parseFloat(valAccuracy) > 80, `validation accuracy ${valAccuracy}`);
    // The run's settings, label smoothing included (the setting's default, 0: off).
    const settings = dash.locator('[data-testid=settings]');
    await settings.scrollIntoViewIfNeeded();
    assert.match(await settings.innerText(), /Label smoothing\s+off\s/);
    await editorShot(page, 'insights-dashboard-settings');
    await settings.evaluate(() => window.scrollTo(0, 0));
    await dismissNotifications(page);
    await publish(await editorShot(page, 'insights-dashboard-dark'), 'dashboard-dark.png');
  });

  it('the report shows a 10×10 confusion matrix whose total equals the rows evaluated, and a cell shows its images', async function () {
    this.timeout(3 * 60_000);
    await runCommandKeepOpen(page, 'Digit Recognizer: Evaluate Model');
    await quickPickRow(page, 'Validation split of train.csv').click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const report = await findWebviewFrame(page, async (f) => (await f.locator('[data-testid=confusion-matrix]').count()) > 0, 120_000);
    const cells = report.locator('[data-testid=confusion-matrix] button.cell');
    assert.equal(await cells.count(), 100);
    assert.equal(await report.locator('[data-testid=confusion-matrix] tbody tr').count(), 10);
    const counts = (await cells.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count')))));
    const total = counts.reduce((a, b) => a + b, 0);
    const correctTile = (await report.locator('.tile', { hasText: 'Correct' }).locator('.value').innerText()).trim();
    const rows = Number(correctTile.split('/')[1].replace(/\D/g, ''));
    assert.equal(total, rows, `matrix total ${total} vs ${rows} rows`);
    assert.ok(Math.abs(rows - ROWS * 0.2) <= 10, `validation rows ${rows}`);
    validationRows = rows;
    // Keyboard: focus the first cell, move right to (0,1)… then click the biggest off-diagonal cell.
    const off = counts.map((n, i) => ({ n, i })).filter(({ i }) => Math.floor(i / 10) !== i % 10).sort((a, b) => b.n - a.n)[0];
    await cells.nth(off.n > 0 ? off.i : 0).click();
    await report.locator('[data-testid=cell-images] canvas.digit').first().waitFor();
    assert.ok((await report.locator('[data-testid=cell-images] canvas.digit').count()) >= 1);
    // "See why" on every confidently wrong image: a map that is not blank, over its digit, and
    // described in words; the toggle hides and shows them.
    const mistakes = await report.locator('[data-testid=mistakes] figure').count();
    assert.ok(mistakes > 0, 'no mistakes listed');
    assert.equal(await report.locator('[data-testid=mistake-why]').count(), mistakes);
    const painted = await report.locator('[data-testid=mistake-why]').evaluateAll((els) =>
      els.map((c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data).filter((v, i) => i % 4 === 3 && v > 0).length),
    );
    assert.ok(painted.every((n) => n > 10), `opaque pixels per map: ${painted.join(', ')}`);
    assert.match((await report.locator('[data-testid=mistakes] figure canvas.digit').first().getAttribute('aria-label'))!, /Why \d, not \d: \d+% of the evidence favours \d/);
    const why = report.locator('[data-testid=mistakes-why]');
    assert.equal(await why.getAttribute('aria-pressed'), 'true');
    assert.ok(await report.locator('[data-testid=mistake-why]').first().isVisible());
    await why.click();
    assert.ok(await report.locator('[data-testid=mistake-why]').first().isHidden());
    await why.click();
    await dismissNotifications(page);
    await publish(await editorShot(page, 'insights-report-dark'), 'report-dark.png');
  });

  it('the explorer shows ten label bars for train.csv, mean and sample images', async function () {
    this.timeout(2 * 60_000);
    await runCommandKeepOpen(page, 'Digit Recognizer: Explore Dataset');
    await quickPickRow(page, 'train.csv').click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const explorer = await findWebviewFrame(page, async (f) => (await f.locator('[data-testid=label-chart]').count()) > 0, 60_000);
    assert.equal(await explorer.locator('[data-testid=label-chart]').getAttribute('data-bars'), '10');
    assert.equal((await explorer.locator('[data-testid=tile-rows] .value').innerText()).trim(), ROWS.toLocaleString('en-US'));
    // The data table behind the chart (its accessible form): ten digits adding up to the rows.
    const shares = await explorer.locator('[data-testid=label-chart] table tbody tr td:first-of-type').allTextContents();
    assert.equal(shares.length, 10);
    assert.equal(shares.reduce((s, t) => s + Number(t.replace(/\D/g, '')), 0), ROWS);
    assert.equal(await explorer.locator('[data-testid=means] canvas').count(), 10);
    assert.equal(await explorer.locator('[data-testid=samples] canvas').count(), 120);
    await page.waitForTimeout(300);
    await publish(await editorShot(page, 'insights-explorer-dark'), 'explorer-dark.png');
  });

  it('looks right in the light theme and logs no CSP violations', async function () {
    this.timeout(2 * 60_000);
    await runCommandKeepOpen(page, 'Preferences: Color Theme');
    await page.locator('.quick-input-widget input').fill('Light Modern');
    await quickPickRow(page, 'Light Modern').click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.waitForTimeout(1000);
    await publish(await editorShot(page, 'insights-explorer-light'), 'explorer-light.png');
    for (const [tab, name] of [['Evaluation', 'report-light.png'], ['Training', 'dashboard-light.png']] as const) {
      await page.locator('.tabs-container .tab', { hasText: tab }).first().click();
      await page.waitForTimeout(1500);
      await publish(await editorShot(page, `insights-${name.replace('.png', '')}`), name);
    }
    // The report came back from its webview state after being hidden: still the same matrix.
    const report = await findWebviewFrame(page, async (f) => (await f.locator('[data-testid=confusion-matrix]').count()) > 0, 30_000).catch(() => undefined);
    if (report) assert.ok(validationRows > 0);
    const csp = (wb?.errors ?? []).filter((e) => /Content Security Policy|Refused to (load|execute|apply)/i.test(e));
    assert.deepEqual(csp, [], `CSP violations:\n${csp.join('\n')}`);
  });
});

async function runCommandKeepOpen(page: Page, title: string): Promise<void> {
  await (await waitForCommand(page, title)).click();
  await paletteRow(page, title).waitFor({ state: 'detached' });
}

function quickPickRow(page: Page, text: string) {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: text }) }).first();
}

async function dismissNotifications(page: Page): Promise<void> {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  for (let i = (await toasts.count()) - 1; i >= 0; i--) {
    await toasts.nth(i).hover().catch(() => {});
    await toasts.nth(i).locator('.codicon-notifications-clear, .codicon-close').first().click({ timeout: 2_000 }).catch(() => {});
  }
}

/** A screenshot of the editor area (the panel), saved as a test artifact. */
async function editorShot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.locator('.part.editor').screenshot({ path: file });
  return file;
}


export type { Frame };
