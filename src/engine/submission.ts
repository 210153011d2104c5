import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes Kaggle's `ImageId,Label` file (ImageId from 1, one row per test row in order)
 * atomically. Refuses to write a file whose row count differs from the input's.
 */
export async function writeSubmission(file: string, labels: ArrayLike<number>, expectedRows: number): Promise<void> {
  if (labels.length !== expectedRows) {
    throw new Error(`Refusing to write ${path.basename(file)}: ${labels.length} predictions for ${expectedRows} test rows`);
  }
  const lines = new Array<string>(labels.length + 1);
  lines[0] = 'ImageId,Label';
  for (let i = 0; i < labels.length; i++) lines[i + 1] = `${i + 1},${labels[i]}`;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    await fs.promises.writeFile(tmp, lines.join('\n') + '\n');
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}
