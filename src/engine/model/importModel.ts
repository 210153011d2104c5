import * as path from 'path';
import { saveModelDir } from './persistence';
import { type ModelMetadata } from './metadata';
import { disposeModel } from './architectures';
import { loadAnyModel, type LoadAnyOptions } from './loadModel';

/**
 * Validates a model from elsewhere (a TF.js folder or model.json, a Keras .h5 or .keras file) by
 * loading it, then saves a clean TF.js copy (model.json + weights.bin + metadata.json) into
 * `destDir`, atomically.
 */
export async function importModel(source: string, destDir: string, name: string, options: LoadAnyOptions = {}): Promise<ModelMetadata> {
  const loaded = await loadAnyModel(source, options);
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
