import * as path from 'path';

/** "train 2026-11-24 09:30 (default)": the file, the date and the architecture. */
export function defaultModelName(trainFile: string, arch: string, created: Date): string {
  const stamp = created.toISOString().slice(0, 16).replace('T', ' ');
  return `${path.basename(trainFile, path.extname(trainFile))} ${stamp} (${arch})`;
}

/** A folder name safe on every OS: "default-20261124-093000". */
export function modelFolderName(arch: string, created: Date): string {
  const stamp = created.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${arch}-${stamp}`;
}
