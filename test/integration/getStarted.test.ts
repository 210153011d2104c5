// The Get Started walkthrough's contribution, checked in a real extension host. What it looks
// like, that VS Code opens it once on install and that its steps complete is seen in the browser
// (test/e2e/getStarted.e2e.ts), and that the extension starting opens nothing in
// test/e2e/marketplace.e2e.ts: under this suite's extensionTestsPath the workbench does not list
// the extension's walkthroughs (opening ours shows the Welcome page), so it is not checked here.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import { STEP_KEYS } from '../../src/extension/getStarted';

describe('Get Started walkthrough', () => {
  before(async () => {
    await vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.activate();
  });

  it('Digit Recognizer: Get Started runs', async () => {
    assert.deepStrictEqual(await vscode.commands.executeCommand('digitRecognizer.getStarted'), { ok: true });
  });

  it('names only step images and Markdown that exist, and completion events the extension provides', () => {
    const root = vscode.extensions.getExtension(`${pkg.publisher}.${pkg.name}`)!.extensionPath;
    const commands = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const step of pkg.contributes.walkthroughs[0].steps) {
      const media = step.media as { markdown?: string; image?: Record<string, string> };
      const files = media.markdown ? [media.markdown] : Object.values(media.image ?? {});
      assert.ok(files.length > 0, `${step.id}: no media`);
      for (const file of files) assert.ok(fs.existsSync(path.join(root, file)), `${step.id}: ${file} is missing`);
      for (const event of step.completionEvents) {
        const [kind, name] = event.split(':');
        if (kind === 'onCommand') assert.ok(commands.has(name), `${step.id}: ${name} is not a contributed command`);
        else assert.ok(kind === 'onContext' && Object.values(STEP_KEYS).includes(name as never), `${step.id}: ${event} is not a context key the extension sets`);
      }
      for (const [, command] of step.description.matchAll(/\]\(command:([\w.]+)\)/g)) {
        assert.ok(commands.has(command) || command.startsWith('workbench.'), `${step.id}: button runs unknown ${command}`);
      }
    }
  });
});
