// `npm run package`: the .vsix, with @vscode/vsce (which first runs `vscode:prepublish`, the
// production build). What goes in is package.json's "files" allow-list, nothing else.
//   npx tsx scripts/package.ts [--out FILE]    default: digit-recognizer.vsix in the project folder
// The tests call packageVsix() so they package exactly as this command does.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

export const VSCE_ARGS = [
  'package',
  // README's links to docs/ and bench/ stay relative: vsce rewrites them only against a GitHub or
  // GitLab repository, and the project has no public one yet (so no "repository" either).
  '--no-rewrite-relative-links',
  '--allow-missing-repository',
];

/**
 * Packages the extension into `out`. With `quiet`, vsce's output (stdout and stderr, where its
 * warnings go) is returned rather than shown; a failure throws with it.
 */
export function packageVsix(out: string, { quiet = false } = {}): string {
  const args = [require.resolve('@vscode/vsce/vsce'), ...VSCE_ARGS, '--out', path.resolve(out)];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'], maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`vsce package failed (${r.error?.message ?? `exit ${r.status}`})${output ? `:\n${output}` : ''}`);
  return output;
}

if (require.main === module) {
  const at = process.argv.indexOf('--out');
  try {
    packageVsix(at >= 0 ? process.argv[at + 1] : path.join(ROOT, 'digit-recognizer.vsix'));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
