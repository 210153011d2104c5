import { writeFileAtomic } from '../core/files';
import * as path from 'path';

/** What `submit` writes, and what it may replace. */
export const SUBMISSION_OUTPUT = { what: 'the submission', header: 'ImageId,Label', defaultName: 'submission.csv' } as const;

/**
 * Writes Kaggle's `ImageId,Label` file (ImageId from 1, one row per test row in order)
 * atomically. Refuses to write a file whose row count differs from the input's.
 */
export async function writeSubmission(file: string, labels: ArrayLike<number>, expectedRows: number): Promise<void> {
  if (labels.length !== expectedRows) {
    throw new Error(`Refusing to write ${path.basename(file)}: ${labels.length} predictions for ${expectedRows} test rows`);
  }
  const lines = new Array<string>(labels.length + 1);
  lines[0] = SUBMISSION_OUTPUT.header;
  for (let i = 0; i < labels.length; i++) lines[i + 1] = `${i + 1},${labels[i]}`;
  await writeFileAtomic(file, lines.join('\n') + '\n', 'write the submission to');
}
