import * as vscode from 'vscode';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../shared/training';
import { isArchitecture } from '../shared/training';
import { isSchedule } from '../shared/training';
import type { BackendPreference } from '../engine/core/types';

/** Training settings from `digitRecognizer.*`, falling back to the engine's defaults. */
export function trainSettingsFromConfig(): TrainSettings {
  const c = vscode.workspace.getConfiguration('digitRecognizer');
  const d = DEFAULT_TRAIN_SETTINGS;
  const arch = c.get<string>('architecture');
  const schedule = c.get<string>('learningRateSchedule');
  return {
    ...d,
    arch: isArchitecture(arch) ? arch : d.arch,
    epochs: c.get<number>('epochs', d.epochs),
    batchSize: c.get<number>('batchSize', d.batchSize),
    learningRate: c.get<number>('learningRate', d.learningRate),
    schedule: isSchedule(schedule) ? schedule : d.schedule,
    validationSplit: c.get<number>('validationSplit', d.validationSplit),
    augment: c.get<boolean>('augment', d.augment),
    labelSmoothing: c.get<number>('labelSmoothing', d.labelSmoothing),
    emaDecay: c.get<number>('emaDecay', d.emaDecay),
    seed: c.get<number>('seed', d.seed),
    threads: c.get<number>('trainingThreads', d.threads),
  };
}

export function backendFromConfig(): BackendPreference {
  const value = vscode.workspace.getConfiguration('digitRecognizer').get<string>('backend', 'auto');
  return value === 'tensorflow' || value === 'wasm' || value === 'cpu' ? value : 'auto';
}

export function describeSettings(s: TrainSettings): string {
  return `${s.arch}, ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}, batch ${s.batchSize}, validation ${Math.round(s.validationSplit * 100)}%, augmentation ${s.augment ? 'on' : 'off'}${s.labelSmoothing > 0 ? `, label smoothing ${s.labelSmoothing}` : ''}${s.emaDecay > 0 ? `, weight average ${s.emaDecay}` : ''}`;
}
