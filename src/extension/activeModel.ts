import * as vscode from 'vscode';
import { type ModelStore, type StoredModel } from '../engine/model/modelStore';

const ACTIVE_KEY = 'digitRecognizer.activeModel';

/** The saved models and which one is active (remembered across sessions), with a change event. */
export class ActiveModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    readonly store: ModelStore,
    private readonly state: vscode.Memento,
  ) {}

  /** The active model; the newest saved one when none was chosen or it was deleted. */
  get(): StoredModel | undefined {
    return this.store.get(this.state.get<string>(ACTIVE_KEY)) ?? this.store.list()[0];
  }

  async set(id: string | undefined): Promise<void> {
    await this.state.update(ACTIVE_KEY, id);
    this.changed.fire();
  }

  /** Call after the store changed (rename, delete) so listeners refresh. */
  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The public score of the model's last scored Kaggle submission (Submit to Kaggle), e.g. "0.99557". */
export function kaggleScore(model: StoredModel): string | undefined {
  const scored = (model.metadata.kaggle ?? []).filter((k) => k.publicScore !== undefined);
  return scored.length ? String(scored[scored.length - 1].publicScore) : undefined;
}

/** How many networks a model of several holds (model/networks.ts); undefined for one. */
export function networkCount(model: StoredModel): number | undefined {
  const count = model.metadata.networkResults?.length ?? 0;
  return count > 1 ? count : undefined;
}

export function formatAccuracy(model: StoredModel): string | undefined {
  const final = model.metadata.final;
  const accuracy = final?.valAccuracy ?? final?.accuracy;
  return accuracy === undefined ? undefined : `${(accuracy * 100).toFixed(2)}%`;
}
