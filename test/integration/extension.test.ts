// Runs inside a real extension host (see test/integration/index.ts): no mock of `vscode`.
import * as assert from 'assert';
import * as vscode from 'vscode';
import pkg from '../../package.json';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

describe('extension', () => {
  it('is installed in the extension host', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found among ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    assert.strictEqual(ext.packageJSON.version, pkg.version);
  });

  it('activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers every command of contributes.commands', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('runs where the workspace is (extensionKind "workspace"): under code-server, in the server\'s extension host while the UI is a browser', () => {
    assert.deepStrictEqual(pkg.extensionKind, ['workspace']);
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.strictEqual(typeof process.versions.node, 'string', 'a Node extension host, not a web worker');
    if (vscode.env.uiKind === vscode.UIKind.Web) {
      // code-server: the workbench in Chromium, this host on the server, as in Remote-SSH or Codespaces.
      assert.ok(vscode.env.remoteName, 'a browser UI, yet no remote extension host');
      assert.strictEqual(ext.extensionKind, vscode.ExtensionKind.Workspace);
    } else if (!vscode.env.remoteName) {
      assert.strictEqual(ext.extensionKind, vscode.ExtensionKind.UI, 'without a remote there is one (local) host');
    }
  });

  it('runs in the VS Code version the manifest asks for', () => {
    const [major, minor] = vscode.version.split('.').map(Number);
    const [wantMajor, wantMinor] = pkg.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    assert.ok(major > wantMajor || (major === wantMajor && minor >= wantMinor), `VS Code ${vscode.version} < ${pkg.engines.vscode}`);
  });
});
