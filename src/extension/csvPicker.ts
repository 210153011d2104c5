import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { sniffCsvFormat } from '../engine/data/csv';
import type { CsvFormat } from '../engine/core/types';

const RECENT_KEY = 'digitRecognizer.recentCsvFiles';
const BROWSE = 'browse';

interface CsvItem extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/**
 * Asks for a workspace CSV in the given Kaggle format: recently used first, then the others
 * (found with findFiles, node_modules excluded), and "Browse…" for a file dialog.
 */
export async function pickCsv(state: vscode.Memento, format: CsvFormat, title: string): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles('**/*.csv', '**/node_modules/**', 500);
  const matching: vscode.Uri[] = [];
  await Promise.all(found.map(async (uri) => ((await sniffCsvFormat(uri.fsPath).catch(() => undefined)) === format ? matching.push(uri) : undefined)));
  const recent = state.get<string[]>(RECENT_KEY, []);
  const rank = (uri: vscode.Uri) => {
    const i = recent.indexOf(uri.fsPath);
    return i === -1 ? recent.length : i;
  };
  matching.sort((a, b) => rank(a) - rank(b) || a.fsPath.localeCompare(b.fsPath));
  const items: CsvItem[] = matching.map((uri) => ({
    label: `$(file) ${path.basename(uri.fsPath)}`,
    description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)),
    detail: recent.includes(uri.fsPath) ? 'recently used' : undefined,
    uri,
  }));
  items.push({ label: '$(folder-opened) Browse…', description: BROWSE });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    // A webview (the pad, a dashboard) taking focus back must not dismiss the pick.
    ignoreFocusOut: true,
    placeHolder: matching.length ? `Pick a ${format}-format CSV` : `No ${format}-format CSV in the workspace: browse for one`,
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'CSV files': ['csv'] }, title });
  return chosen?.[0];
}

export async function rememberCsv(state: vscode.Memento, uri: vscode.Uri): Promise<void> {
  const recent = state.get<string[]>(RECENT_KEY, []).filter((p) => p !== uri.fsPath);
  await state.update(RECENT_KEY, [uri.fsPath, ...recent].slice(0, 10));
}

/** A CSV called `name`: the most recently used one that still exists, else one in the workspace. */
export async function findCsvByName(state: vscode.Memento, name: string): Promise<vscode.Uri | undefined> {
  const recent = state.get<string[]>(RECENT_KEY, []).filter((p) => path.basename(p) === name && fs.existsSync(p));
  if (recent.length) return vscode.Uri.file(recent[0]);
  const found = await vscode.workspace.findFiles(`**/${name.replace(/[{}[\]*?]/g, '?')}`, '**/node_modules/**', 5);
  return found[0];
}
