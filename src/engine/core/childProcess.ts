// Running a command-line tool (npm, kaggle) from the extension host without blocking it: its
// lines as they come, its exit code and output at the end, cancellable (ending the tool and what
// it started), and "not found" in the caller's words.
import { type ChildProcess, spawn, spawnSync } from 'child_process';
import { CancelledError } from './errors';

export interface ToolRun {
  cwd?: string;
  signal?: AbortSignal;
  /** Every line the tool prints (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The error when the tool cannot be started (`err` from spawn) or the shell did not find it (no `err`). */
  notFound: (err: unknown) => Error;
}

/** Runs `command args`; resolves with its exit code and everything it printed. */
export function runTool(command: string, args: string[], run: ToolRun): Promise<{ code: number; output: string }> {
  const { signal, onLine, notFound } = run;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const windows = process.platform === 'win32';
    let child: ChildProcess;
    try {
      // npm is npm.cmd on Windows (kaggle may be kaggle.cmd), which Node starts only through a shell.
      child = spawn(windows ? `"${command}"` : command, args, { cwd: run.cwd, shell: windows, detached: !windows, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...run.env } });
    } catch (err) {
      return reject(notFound(err));
    }
    const chunks: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        chunks.push(chunk);
        buf += chunk;
        const lines = buf.split(/\r?\n/);
        buf = lines.pop()!;
        if (onLine) lines.forEach(onLine);
      });
    }
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      endTree(child);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', cancel);
      reject(notFound(err));
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', cancel);
      if (cancelled) return reject(new CancelledError());
      const output = chunks.join('');
      // A shell reports a missing command with code 127 (POSIX) or 9009 (cmd.exe).
      if ((code === 127 || code === 9009) && /not found|not recognized/i.test(output)) return reject(notFound(undefined));
      resolve({ code: code ?? (sig ? 128 : 1), output: sig ? `${output}\n${command} was ended by ${sig}` : output });
    });
  });
}

/** Ends the tool and what it started (npm's install script, its downloads): its process group, or its tree on Windows. */
function endTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    return;
  }
  try {
    process.kill(-child.pid, 'SIGTERM'); // detached: the tool leads its own process group
  } catch {
    child.kill('SIGTERM');
  }
}
