// Fine-Tune on My Drawings from the pad: the button (enabled with a model and enough samples),
// Cancel, and the run's progress and outcome, wherever it was started.

import { MIN_FINE_TUNE_SAMPLES, type FineTuneStatusMessage, type PadCommand } from '../../shared/padMessages';
import { h } from '../common/dom';
import { ICON_TUNE, icon } from './icons';

export interface FineTuneHooks {
  run(command: PadCommand): void;
  hasModel(): boolean;
  sampleCount(): number;
  /** A run started or ended: the buttons follow. */
  changed(): void;
}

export type FineTune = ReturnType<typeof createFineTune>;

export function createFineTune(hooks: FineTuneHooks) {
  const button = h('button', { type: 'button', 'data-testid': 'fine-tune', title: 'Fine-tune the active model on these drawings (with a replay of the training CSV)' }, icon(ICON_TUNE), 'Fine-Tune on My Drawings');
  const cancel = h('button', { type: 'button', class: 'secondary', 'data-testid': 'fine-tune-cancel', text: 'Cancel' });
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Fine-tuning progress', 'aria-valuemin': '0', 'aria-valuemax': '100' }, h('div', { class: 'fill' }));
  const status = h('p', { class: 'fine-tune-status', 'data-testid': 'fine-tune-status', role: 'status' });
  bar.hidden = true;
  let running = false;

  button.addEventListener('click', () => hooks.run('fineTune'));
  cancel.addEventListener('click', () => hooks.run('cancelFineTune'));

  return {
    /** Its place in the samples section: the buttons, the progress bar, the status line. */
    parts: [h('div', { class: 'fine-tune' }, button, cancel), bar, status],
    show(m: FineTuneStatusMessage): void {
      running = m.state === 'running';
      status.textContent = m.message;
      status.dataset.state = m.state;
      bar.hidden = !running;
      (bar.firstChild as HTMLElement).style.width = `${((m.fraction ?? 0) * 100).toFixed(1)}%`;
      bar.setAttribute('aria-valuenow', ((m.fraction ?? 0) * 100).toFixed(0));
      hooks.changed();
    },
    update(): void {
      const count = hooks.sampleCount();
      button.disabled = running || !hooks.hasModel() || count < MIN_FINE_TUNE_SAMPLES;
      button.title = !hooks.hasModel()
        ? 'Train or load a model first'
        : count < MIN_FINE_TUNE_SAMPLES
          ? `Keep at least ${MIN_FINE_TUNE_SAMPLES} labelled drawings first (${count} so far)`
          : 'Fine-tune the active model on these drawings (with a replay of the training CSV)';
      cancel.hidden = !running;
    },
  };
}
