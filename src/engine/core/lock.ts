// A lock between processes (two VS Code windows, two test runs): a folder made with mkdir, which
// is atomic, holding the owner's pid. A lock whose owner is gone is taken over.
import * as fs from 'fs';
import * as path from 'path';

/** True when process `pid` exists (it may belong to another user: EPERM). This process counts as alive. */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock `dir` and returns its release, or returns the pid of the live process holding it. */
export function tryLock(dir: string): { release: () => void } | { owner: number } {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return { release: () => fs.rmSync(dir, { recursive: true, force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readQuietly(path.join(dir, 'pid')));
      // No pid yet: the owner is between its mkdir and its write; a pid of ours: a release that never ran.
      if (!(Number.isInteger(owner) && owner > 0)) return { owner: NaN };
      if (owner !== process.pid && isProcessAlive(owner)) return { owner };
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Takes the lock `dir`, waiting (polling every second) while a live process holds it. */
export async function waitForLock(dir: string, onWait?: (owner: number) => void): Promise<() => void> {
  for (let announced = false; ; ) {
    const got = tryLock(dir);
    if ('release' in got) return got.release;
    if (!announced) onWait?.(got.owner);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function readQuietly(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
