// Runs dist/nativeProbe.js (see src/worker/nativeProbe.ts) in a child process with the extension
// host's own runtime (Node, or VS Code's Electron as Node), so that a native library that crashes
// when it loads ends that process, not the extension host.
import { spawn } from 'child_process';
import * as path from 'path';
import { CancelledError, InputError } from '../engine/core/errors';
import type { NativeSource } from '../native/location';

const CRASH_HINTS: Partial<Record<NodeJS.Signals, string>> = {
  SIGILL: 'an illegal instruction: the prebuilt TensorFlow needs a CPU with AVX',
  SIGSEGV: 'a segmentation fault in the native library',
  SIGABRT: 'the native library aborted',
};

/** Resolves when the package loads and computes in a process of its own; rejects with an InputError saying why not. */
export function probeNativeInChildProcess(distDir: string, source: NativeSource, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(distDir, 'nativeProbe.js'), source.dir, source.package], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const abort = () => child.kill();
    signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (err) => reject(new InputError(`the check process could not start (${err.message})`)));
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) return reject(new CancelledError());
      const line = stdout.trim().split('\n').pop() ?? '';
      let result: { ok: boolean; error?: string } | undefined;
      try {
        result = JSON.parse(line);
      } catch {
        result = undefined;
      }
      if (result?.ok) return resolve();
      if (result?.error) return reject(new InputError(result.error));
      const how = sig ? `${sig}${CRASH_HINTS[sig] ? `, ${CRASH_HINTS[sig]}` : ''}` : `exit code ${code}`;
      const said = stderr.trim().split('\n').filter(Boolean).pop();
      reject(new InputError(`${source.package} crashed the process that loaded it (${how})${said ? `: ${said}` : ''}`));
    });
  });
}
