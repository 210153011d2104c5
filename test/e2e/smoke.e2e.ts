// End-to-end smoke test: the real workbench in Chromium, the extension in development mode.
import * as assert from 'assert';
import { findWebviewFrame, openWorkbench, runCommand, screenshot, waitForCommand, Workbench } from './workbench';

describe('workbench smoke', function () {
  let wb: Workbench;

  before(async function () {
    wb = await openWorkbench({ theme: 'Default Dark Modern' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) await screenshot(wb.page, `failed-${this.currentTest.fullTitle()}`);
  });

  after(async function () {
    await wb?.close();
  });

  it('lists the Digit Recognizer commands in the command palette', async function () {
    await waitForCommand(wb.page, 'Digit Recognizer: Open Digit Pad');
    await wb.page.locator('.quick-input-widget input').fill('>Digit Recognizer');
    const rows = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    await rows.filter({ hasText: 'Digit Recognizer: Train Model' }).first().waitFor();
    const labels = (await rows.allInnerTexts()).map((l) => l.trim());
    for (const title of ['Train Model', 'Open Digit Pad', 'Generate Submission']) {
      assert.ok(labels.includes(`Digit Recognizer: ${title}`), `palette rows: ${labels.join(' | ')}`);
    }
    await screenshot(wb.page, 'command-palette-digit-recognizer');
    await wb.page.keyboard.press('Escape');
  });

  it('runs "Digit Recognizer: Open Digit Pad" from the palette', async function () {
    await runCommand(wb.page, 'Digit Recognizer: Open Digit Pad');
    await wb.page.locator('.tabs-container .tab', { hasText: 'Digit Pad' }).waitFor();
    // The pad's document is a nested webview frame holding a canvas.
    const pad = await findWebviewFrame(wb.page, async (f) => (await f.locator('canvas').count()) > 0);
    assert.ok(await pad.locator('canvas').first().isVisible());
    await screenshot(wb.page, 'open-digit-pad');
  });
});
