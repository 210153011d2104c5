import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../core/errors';
import { METADATA_FILE } from './modelDir';
import { type KaggleSubmission, type ModelMetadata, readMetadata } from './metadata';
import { writeJsonAtomic } from '../core/files';
import { isCompleteModelDir, recoverModelFolders } from './modelDir';
import { stagingPath } from '../core/files';
import { modelFolderName } from './naming';

export interface StoredModel {
  /** The folder name, stable across renames. */
  id: string;
  dir: string;
  metadata: ModelMetadata;
}

/**
 * The saved models: one folder each (model.json, weights, metadata.json) under a root folder
 * (the extension's global storage). Folders being written start with "." and are ignored; what a
 * killed save left behind is recovered (modelDir.ts) before the models are listed, and only
 * complete model folders are listed.
 */
export class ModelStore {
  constructor(readonly root: string) {}

  /** Complete models, newest first. */
  list(): StoredModel[] {
    if (!fs.existsSync(this.root)) return [];
    recoverModelFolders(this.root);
    const models: StoredModel[] = [];
    for (const id of fs.readdirSync(this.root)) {
      const model = this.get(id);
      if (model) models.push(model);
    }
    return models.sort((a, b) => b.metadata.created.localeCompare(a.metadata.created));
  }

  get(id: string | undefined): StoredModel | undefined {
    if (!id || id.startsWith('.') || id.includes('/') || id.includes('\\')) return undefined;
    const dir = path.join(this.root, id);
    const metadata = isCompleteModelDir(dir) ? readMetadata(dir) : undefined;
    return metadata ? { id, dir, metadata } : undefined;
  }

  /** A new, unused folder for a model of this kind created now. */
  newLocation(kind: string, created = new Date()): { id: string; dir: string } {
    const base = modelFolderName(kind, created);
    let id = base;
    for (let n = 2; fs.existsSync(path.join(this.root, id)); n++) id = `${base}-${n}`;
    return { id, dir: path.join(this.root, id) };
  }

  async rename(id: string, name: string): Promise<StoredModel> {
    const trimmed = name.trim();
    if (!trimmed) throw new InputError('A model name cannot be empty.');
    return this.update(id, (m) => ({ ...m, name: trimmed }));
  }

  /** Adds a Kaggle submission (and its score) to the model's history. */
  async recordKaggleSubmission(id: string, submission: KaggleSubmission): Promise<StoredModel> {
    return this.update(id, (m) => ({ ...m, kaggle: [...(m.kaggle ?? []), submission] }));
  }

  private async update(id: string, change: (metadata: ModelMetadata) => ModelMetadata): Promise<StoredModel> {
    const model = this.require(id);
    const metadata = change(model.metadata);
    await writeJsonAtomic(path.join(model.dir, METADATA_FILE), metadata);
    return { ...model, metadata };
  }

  async delete(id: string): Promise<void> {
    const model = this.require(id);
    // Move aside first so a half-deleted folder never lists as a model (nor is ever restored).
    const doomed = stagingPath(model.dir, 'deleting');
    await fs.promises.rename(model.dir, doomed);
    await fs.promises.rm(doomed, { recursive: true, force: true });
  }

  private require(id: string): StoredModel {
    const model = this.get(id);
    if (!model) throw new InputError(`No saved model "${id}" in ${this.root}.`);
    return model;
  }
}
