// The active model: its name and accuracy above the prediction, or "No model yet" with buttons
// to train one or load a model file.

import type { PadCommand, PadModelInfo } from '../../shared/padMessages';
import { h } from '../common/dom';
import { ICON_OPEN, ICON_TRAIN, icon } from './icons';

export interface ModelHooks {
  run(command: PadCommand): void;
  /** The model shown changed: the buttons follow. */
  changed(): void;
}

export function createModelView(app: HTMLElement, hooks: ModelHooks) {
  const name = h('span', { class: 'model-name', 'data-testid': 'model-name' });
  const accuracy = h('span', { class: 'model-accuracy' });
  const line = h('div', { class: 'model', title: 'Active model' }, h('span', { class: 'label', text: 'Model' }), name, accuracy);
  const trainButton = h('button', { type: 'button', 'data-testid': 'train' }, icon(ICON_TRAIN), 'Train Model');
  const loadButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'load-model' }, icon(ICON_OPEN), 'Load Model File');
  const noModel = h(
    'div',
    { class: 'no-model', 'data-testid': 'no-model', role: 'region', 'aria-label': 'No model' },
    h('h2', { text: 'No model yet' }),
    h('p', { text: 'Train a model on the Digit Recognizer data, or load a saved model file, to see what it reads in your drawing.' }),
    h('div', { class: 'actions' }, trainButton, loadButton),
  );
  // Neither until the extension says whether there is a model.
  noModel.hidden = true;
  line.hidden = true;
  trainButton.addEventListener('click', () => hooks.run('train'));
  loadButton.addEventListener('click', () => hooks.run('loadModel'));

  let model: PadModelInfo | null | undefined; // undefined until the extension answers `ready`

  return {
    line,
    noModel,
    get model(): PadModelInfo | null | undefined {
      return model;
    },
    /** Shows the active model (null: none); true when it is another one than shown before. */
    show(m: PadModelInfo | null): boolean {
      const changed = JSON.stringify(model) !== JSON.stringify(m);
      model = m;
      name.textContent = m ? m.name : '';
      name.title = m ? m.name : '';
      accuracy.textContent = [m?.networks && `${m.networks} networks`, m?.valAccuracy !== undefined && `${(m.valAccuracy * 100).toFixed(2)}% val. accuracy`].filter(Boolean).join(' · ');
      line.hidden = !m;
      noModel.hidden = !!m;
      app.classList.toggle('no-model-state', !m);
      hooks.changed();
      return changed;
    },
  };
}
