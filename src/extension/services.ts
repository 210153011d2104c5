import * as vscode from 'vscode';
import { type ActiveModel } from './activeModel';
import { type EngineClient } from './engineClient';
import type { BackendPreference } from '../engine/core/types';
import type { NativeSource } from '../native/location';
import type { SampleStore } from './sampleStore';

/** What every command needs, created once in activate(). */
export interface Services {
  context: vscode.ExtensionContext;
  active: ActiveModel;
  /** Worker for predictions, imports and submissions (kept alive for the pad's quick answers). */
  engine: EngineClient;
  /** A fresh worker for one training run, ended afterwards to give its memory back. */
  newTrainingEngine(): EngineClient;
  /** A fresh worker with a given backend and native TensorFlow (Install Native TensorFlow's check). */
  newEngine(data: { backend: BackendPreference; native?: NativeSource }): EngineClient;
  /** Where Install Native TensorFlow puts native TensorFlow (<globalStorage>/native). */
  nativeRoot: string;
  /** The extension's bundles (dist/): workers and helper processes. */
  distDir: string;
  /** The workspace's labelled drawings (the Digit Pad's samples). */
  samples: SampleStore;
  log(line: string): void;
  output: vscode.OutputChannel;
}

/** The outcome of a command, returned to programmatic callers (tasks, tests). */
export type CommandResult<T = Record<string, unknown>> = ({ ok: true } & T) | { ok: false; error: string; cancelled?: boolean };

/** Shows an error to the user and returns it as a failed result. */
export function fail(services: Services, error: unknown, prefix: string): CommandResult<never> {
  const e = error instanceof Error ? error : new Error(String(error));
  if (e.name === 'CancelledError') {
    services.log(`${prefix}: cancelled`);
    return { ok: false, error: 'Cancelled', cancelled: true };
  }
  // Input errors are complete messages; anything else is unexpected: log the details too.
  services.log(`${prefix} failed: ${e.name === 'InputError' ? e.message : e.stack ?? e.message}`);
  const message = e.name === 'InputError' ? e.message : firstLine(e.message);
  void vscode.window.showErrorMessage(`${prefix} failed: ${message}`, 'Show Log').then((choice) => choice && services.output.show());
  return { ok: false, error: message };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
