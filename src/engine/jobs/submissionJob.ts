// Generate Submission's job: predict every row of a test CSV, write Kaggle's ImageId,Label file.
import { readDigitCsv } from '../data/csv';
import { SUBMISSION_OUTPUT, writeSubmission } from '../data/submission';
import { checkOutputFile } from '../core/files';
import { throwIfAborted } from '../core/errors';
import { loadAnyModel } from '../model/loadModel';
import { predictImages } from '../inference/predict';
import { startPredictionPool } from '../inference/parallelPredict';
import { startJob, type JobContext } from './context';

export interface SubmissionJob {
  testFile: string;
  model: string;
  outFile: string;
  /** Threads that predict: 0 or absent = one per core, 1 = this thread only. */
  threads?: number;
  /** The user confirmed replacing `outFile` (otherwise only a submission file we wrote is replaced). */
  replace?: boolean;
}

export async function runSubmissionJob(job: SubmissionJob, context: JobContext = {}): Promise<{ rows: number; file: string }> {
  checkOutputFile(job.outFile, { ...SUBMISSION_OUTPUT, replaceConfirmed: job.replace });
  const { emit } = await startJob(context);
  const { model, metadata } = await loadAnyModel(job.model);
  // The replica threads start (load TF.js and the model) while this thread parses the CSV.
  const pool = startPredictionPool(model, job.threads);
  try {
    const data = await readDigitCsv(job.testFile, {
      expect: 'test',
      signal: context.signal,
      onProgress: (p) => emit({ kind: 'reading', file: job.testFile, ...p }),
    });
    const predictions = await predictImages(model, data, {
      pixelScale: metadata?.pixelScale,
      threads: job.threads,
      pool: await pool,
      signal: context.signal,
      onProgress: (done, total) => emit({ kind: 'predicting', done, total }),
    });
    throwIfAborted(context.signal);
    await writeSubmission(job.outFile, predictions.labels, data.count);
    return { rows: data.count, file: job.outFile };
  } finally {
    await (await pool)?.close();
    model.dispose();
  }
}
