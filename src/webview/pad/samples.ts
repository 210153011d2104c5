// My drawings: one click (or key) on a digit keeps the drawing, as the model sees it, as a
// labelled sample in the workspace's samples file; its newest samples as thumbnails, each with
// a delete button; the file's name opens it and Change… picks another.

import { PAD_PIXELS, type PadCommand, type SamplesMessage, type WebviewMessage } from '../../shared/padMessages';
import { base64ToBytes } from '../../shared/base64';
import { strokesToMnist, type Stroke } from './strokes';
import { digitCanvas, h, isTextField } from '../common/dom';
import { ICON_DELETE, icon } from './icons';

export interface SamplesHooks {
  /** The finished strokes, and whether one is being drawn. */
  strokes(): Stroke[];
  penIsDown(): boolean;
  /** The digit the model reads in the drawing, if shown. */
  predicted(): number | undefined;
  post(message: WebviewMessage): void;
  showError(message: string): void;
  /** Saving started or ended, or the list changed: the buttons follow. */
  changed(): void;
}

export type Samples = ReturnType<typeof createSamples>;

/** The label strip under the pad and the samples section, which holds `parts` (fine-tuning) at its end. */
export function createSamples(parts: Node[], hooks: SamplesHooks) {
  // Confirm or correct in one step: the digit's button (or key) keeps the drawing as a sample.
  const labelButtons = Array.from({ length: 10 }, (_, d) =>
    h('button', { type: 'button', class: 'secondary label', 'data-testid': `label-${d}`, 'aria-label': `Keep as a ${d}`, title: `Keep this drawing as a ${d} (key ${d})`, text: String(d) }),
  );
  const labelStrip = h(
    'div',
    { class: 'labels', role: 'group', 'aria-label': 'Keep the drawing as a sample of the digit you drew' },
    h('span', { class: 'caption', text: 'Keep as' }),
    ...labelButtons,
  );

  const count = h('span', { class: 'count', 'data-testid': 'samples-count', text: '0' });
  const noun = h('span', { text: ' samples' });
  const file = h('button', { type: 'button', class: 'link', 'data-testid': 'samples-file', title: 'Open the samples CSV' });
  const change = h('button', { type: 'button', class: 'link', 'data-testid': 'samples-change', title: 'Keep the samples in another CSV', text: 'Change…' });
  const error = h('div', { class: 'error', role: 'alert', 'data-testid': 'samples-error' });
  const thumbs = h('ul', { class: 'thumbs', 'data-testid': 'samples', 'aria-label': 'Your labelled drawings, newest first' });
  const empty = h('p', { class: 'muted', text: 'Draw a digit and click its number below the pad to keep it here.' });
  const section = h(
    'section',
    { class: 'samples', 'aria-labelledby': 'samples-title' },
    h('div', { class: 'samples-head' }, h('h2', { id: 'samples-title', text: 'My drawings' }), h('span', { class: 'muted' }, count, noun)),
    h('div', { class: 'samples-file muted' }, file, ' · ', change),
    error,
    empty,
    thumbs,
    ...parts,
  );
  error.hidden = true;

  /** A sample is being saved: the label buttons wait for the answer. */
  let saving = false;
  let total = 0;

  const run = (command: PadCommand) => hooks.post({ type: 'command', command });
  file.addEventListener('click', () => run('openSamplesFile'));
  change.addEventListener('click', () => run('pickSamplesFile'));
  labelButtons.forEach((b, d) => b.addEventListener('click', () => keep(d)));

  window.addEventListener('keydown', (e) => {
    // Typing the digit keeps the drawing as a sample of it (as clicking its button does).
    if (e.ctrlKey || e.metaKey || e.altKey || !/^[0-9]$/.test(e.key) || hooks.strokes().length === 0) return;
    if (isTextField(e.target)) return;
    e.preventDefault();
    keep(Number(e.key));
  });

  /** Keeps the drawing, as the model sees it (28×28), as a sample of `digit`; the pad clears once it is saved. */
  function keep(digit: number): void {
    if (saving || hooks.penIsDown()) return;
    const result = strokesToMnist(hooks.strokes());
    if (result.empty) {
      hooks.showError('Draw a digit first, then click the digit you drew to keep it.');
      return;
    }
    saving = true;
    hooks.changed();
    hooks.post({ type: 'addSample', pixels: Array.from(result.pixels), label: digit });
  }

  return {
    labelStrip,
    section,
    /** How many samples the file holds. */
    get count(): number {
      return total;
    },
    /** Lists the samples file's newest samples, or why it could not be read. */
    show(m: SamplesMessage): void {
      total = m.count;
      count.textContent = String(m.count);
      noun.textContent = m.count === 1 ? ' sample' : ' samples';
      file.textContent = m.name;
      file.title = `Open ${m.path}`;
      error.textContent = m.error ?? '';
      error.hidden = !m.error;
      empty.hidden = m.count > 0 || !!m.error;
      const pixels = base64ToBytes(m.pixels);
      thumbs.replaceChildren(
        ...m.items.map((item, i) => {
          const label = `A ${item.label}, sample ${item.row + 1}`;
          const remove = h('button', { type: 'button', class: 'delete', 'data-testid': 'sample-delete', 'aria-label': `Delete ${label.toLowerCase()}`, title: 'Delete this sample' }, icon(ICON_DELETE));
          remove.addEventListener('click', () => hooks.post({ type: 'deleteSample', row: item.row, key: item.key }));
          return h('li', { class: 'thumb', 'data-testid': 'sample', 'data-label': String(item.label) }, digitCanvas(pixels, i * PAD_PIXELS, label, 36), h('span', { class: 'badge', 'aria-hidden': 'true', text: String(item.label) }), remove);
        }),
      );
      if (m.count > m.items.length) thumbs.append(h('li', { class: 'more muted', text: `+${(m.count - m.items.length).toLocaleString()} older` }));
      hooks.changed();
    },
    /** The sample was saved (the pad clears next). */
    saved(): void {
      saving = false;
    },
    /** Something failed while a sample was being saved: it was not, and the drawing stays. */
    notSaved(): void {
      if (!saving) return;
      saving = false;
      hooks.changed();
    },
    update(): void {
      const canKeep = hooks.strokes().length > 0 && !hooks.penIsDown() && !saving;
      const predicted = hooks.predicted();
      labelButtons.forEach((b, d) => {
        b.disabled = !canKeep;
        b.classList.toggle('predicted', predicted === d);
        b.classList.toggle('secondary', predicted !== d);
        b.setAttribute('aria-label', predicted === d ? `Keep as a ${d}: confirm what the model reads` : `Keep as a ${d}`);
      });
    },
  };
}
