import * as path from 'path';
import { loadModelDir, saveModelDir, ModelMetadata } from './persistence';
import { disposeModel } from './models';

/**
 * Validates a model from elsewhere (a TF.js folder or model.json) by loading it, then saves a
 * clean copy (model.json + weights.bin + metadata.json) into `destDir`, atomically.
 */
export async function importModel(source: string, destDir: string, name: string): Promise<ModelMetadata> {
  const loaded = await loadModelDir(source);
  try {
    const previous = loaded.metadata;
    const metadata: ModelMetadata = {
      ...(previous ?? {}),
      formatVersion: 1,
      name,
      created: new Date().toISOString(),
      architecture: previous?.architecture ?? 'imported',
      source: path.resolve(source),
    };
    await saveModelDir(loaded.model, metadata, destDir);
    return metadata;
  } finally {
    disposeModel(loaded.model);
  }
}
