import * as fs from 'fs';
import * as path from 'path';
import { COMMON_OPTIONS_HELP, MODEL_OPTION_HELP, modelCommand } from './args';
import { ModelCache, predictPicture, runPredictFolderJob } from '../engine/jobs/modelJobs';

export const PREDICT_IMAGE_HELP = `Usage: digit-recognizer predict-image <picture|folder> --model PATH [--out FILE]

Predicts the handwritten digit in a picture (PNG, JPEG or BMP): grayscale, inverted when it is
dark ink on a light background, cropped, scaled and centred like MNIST. For one picture, prints
file,label,confidence,p0,...,p9. For a folder, writes a CSV (file,label,confidence,error) of
every picture in it.

Options:
${MODEL_OPTION_HELP}
  --out FILE      the folder's CSV (default: predictions.csv in the folder); an existing
                  file is replaced only if this tool wrote it
${COMMON_OPTIONS_HELP}`;

export async function predictImageCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const args = modelCommand(argv, PREDICT_IMAGE_HELP, 'picture or folder', { out: { type: 'string' } });
  if (!args) return;
  const { target, model, backend } = args;
  const cache = new ModelCache();
  try {
    if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) {
      const outFile = path.resolve((args.values.out as string | undefined) ?? path.join(target, 'predictions.csv'));
      const result = await runPredictFolderJob({ modelDir: model, folder: target, outFile }, { signal, backend }, cache);
      for (const f of result.failed) console.error(`${f.file}: ${f.error}`);
      console.log(`Wrote ${result.rows} predictions to ${result.file}${result.failed.length ? ` (${result.failed.length} pictures could not be read)` : ''}`);
    } else {
      const r = await predictPicture(cache, model, target, { signal, backend });
      console.log('file,label,confidence,' + r.probabilities.map((_, k) => `p${k}`).join(','));
      console.log([path.basename(target), r.label, r.probabilities[r.label].toFixed(4), ...r.probabilities.map((p) => p.toFixed(6))].join(','));
    }
  } finally {
    cache.dispose();
  }
}
