import * as vscode from 'vscode';
import { TRAIN_OPTION_KEYS, TRAIN_OPTIONS, trainSettingsFrom, type TrainOptionKey, type TrainSettings } from '../shared/training';
import { formatOption } from '../shared/options';
import type { BackendPreference } from '../engine/core/types';

/** Training settings from `digitRecognizer.*` (one per training option, shared/training.ts), defaults where unset. */
export function trainSettingsFromConfig(): TrainSettings {
  const c = vscode.workspace.getConfiguration('digitRecognizer');
  return trainSettingsFrom((setting) => c.get(setting));
}

export function backendFromConfig(): BackendPreference {
  const value = vscode.workspace.getConfiguration('digitRecognizer').get<string>('backend', 'auto');
  return value === 'tensorflow' || value === 'wasm' || value === 'cpu' ? value : 'auto';
}

/** Every option and its value, in words: "architecture default, epochs 12, …"; an option turned off by 0 is left out, one network too, and those in `omit`. */
export function describeSettings(s: TrainSettings, omit: readonly TrainOptionKey[] = []): string {
  return TRAIN_OPTION_KEYS.filter((key) => !omit.includes(key) && !(s[key] === 0 && 'zero' in TRAIN_OPTIONS[key] && TRAIN_OPTIONS[key].zero === 'off') && !(key === 'networks' && s.networks === 1))
    .map((key) => `${TRAIN_OPTIONS[key].label.toLowerCase()} ${formatOption(TRAIN_OPTIONS[key], s[key])}`)
    .join(', ');
}
