import * as assert from 'node:assert/strict';
import {
  checkExtensionMessage,
  checkWebviewMessage,
  parseExtensionMessage,
  parseWebviewMessage,
} from '../../src/shared/padMessages';
import { memoryText } from '../../src/webview/pad/prediction';

const pixels = () => Array.from({ length: 784 }, (_, i) => i % 256);
const probabilities = () => [0.01, 0.02, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01];

describe('pad messages: webview → extension', () => {
  it('accepts each valid message and copies only known fields', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    const p = pixels();
    const predict = parseWebviewMessage({ type: 'predict', requestId: 7, pixels: p, junk: true });
    assert.deepEqual(predict, { type: 'predict', requestId: 7, pixels: p });
    assert.notEqual((predict as { pixels: number[] }).pixels, p, 'pixels are copied');
    assert.deepEqual(parseWebviewMessage({ type: 'predict', requestId: 0, pixels: new Array(784).fill(0) })?.type, 'predict');
    assert.deepEqual(parseWebviewMessage({ type: 'command', command: 'train' }), { type: 'command', command: 'train' });
    assert.deepEqual(parseWebviewMessage({ type: 'command', command: 'loadModel' }), { type: 'command', command: 'loadModel' });
    for (const command of ['fineTune', 'cancelFineTune', 'pickSamplesFile', 'openSamplesFile']) assert.deepEqual(parseWebviewMessage({ type: 'command', command }), { type: 'command', command });
    assert.deepEqual(parseWebviewMessage({ type: 'predict', requestId: 2, pixels: p, explain: true }), { type: 'predict', requestId: 2, pixels: p, explain: true });
    assert.deepEqual(parseWebviewMessage({ type: 'predict', requestId: 2, pixels: p, explain: false }), { type: 'predict', requestId: 2, pixels: p });
    assert.deepEqual(parseWebviewMessage({ type: 'addSample', pixels: p, label: 7, extra: 1 }), { type: 'addSample', pixels: p, label: 7 });
    assert.deepEqual(parseWebviewMessage({ type: 'deleteSample', row: 3, key: '0badf00d' }), { type: 'deleteSample', row: 3, key: '0badf00d' });
  });

  const bad: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['no type', { requestId: 1 }],
    ['unknown type', { type: 'hello' }],
    ['type of the other direction', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities() }],
    ['predict without pixels', { type: 'predict', requestId: 1 }],
    ['predict with 783 pixels', { type: 'predict', requestId: 1, pixels: pixels().slice(1) }],
    ['predict with 785 pixels', { type: 'predict', requestId: 1, pixels: [...pixels(), 0] }],
    ['predict with a fractional pixel', { type: 'predict', requestId: 1, pixels: Object.assign(pixels(), { 5: 1.5 }) }],
    ['predict with a negative pixel', { type: 'predict', requestId: 1, pixels: Object.assign(pixels(), { 5: -1 }) }],
    ['predict with a pixel > 255', { type: 'predict', requestId: 1, pixels: Object.assign(pixels(), { 5: 256 }) }],
    ['predict with a NaN pixel', { type: 'predict', requestId: 1, pixels: Object.assign(pixels(), { 5: NaN }) }],
    ['predict with a string pixel', { type: 'predict', requestId: 1, pixels: Object.assign(pixels(), { 5: '5' }) }],
    ['predict with a hole', { type: 'predict', requestId: 1, pixels: (() => { const a = pixels(); delete a[9]; return a; })() }],
    ['predict with a typed array', { type: 'predict', requestId: 1, pixels: new Uint8Array(784) }],
    ['predict without requestId', { type: 'predict', pixels: pixels() }],
    ['predict with a negative requestId', { type: 'predict', requestId: -1, pixels: pixels() }],
    ['predict with a fractional requestId', { type: 'predict', requestId: 1.5, pixels: pixels() }],
    ['predict with a string requestId', { type: 'predict', requestId: '1', pixels: pixels() }],
    ['unknown command', { type: 'command', command: 'rm -rf' }],
    ['command without command', { type: 'command' }],
    ['predict with a string explain', { type: 'predict', requestId: 1, pixels: pixels(), explain: 'yes' }],
    ['addSample without a label (a sample is always labelled)', { type: 'addSample', pixels: pixels() }],
    ['addSample with label 10', { type: 'addSample', pixels: pixels(), label: 10 }],
    ['addSample with label "3"', { type: 'addSample', pixels: pixels(), label: '3' }],
    ['addSample with 783 pixels', { type: 'addSample', pixels: pixels().slice(1), label: 3 }],
    ['addSample with a pixel > 255', { type: 'addSample', pixels: Object.assign(pixels(), { 5: 256 }), label: 3 }],
    ['the old exportRow message', { type: 'exportRow', pixels: pixels(), label: 3 }],
    ['deleteSample with a negative row', { type: 'deleteSample', row: -1, key: '0badf00d' }],
    ['deleteSample with a key that is not a row hash', { type: 'deleteSample', row: 1, key: '../../etc' }],
    ['deleteSample without a key', { type: 'deleteSample', row: 1 }],
  ];
  for (const [what, message] of bad) {
    it(`rejects ${what}`, () => {
      assert.equal(parseWebviewMessage(message), undefined);
      const checked = checkWebviewMessage(message);
      assert.equal(checked.ok, false);
      if (!checked.ok) assert.ok(checked.reason.length > 0 && checked.reason.length < 200, checked.reason);
    });
  }
});

describe('pad messages: extension → webview', () => {
  it('accepts each valid message', () => {
    const probs = probabilities();
    assert.deepEqual(parseExtensionMessage({ type: 'prediction', requestId: 3, label: 2, probabilities: probs }), {
      type: 'prediction',
      requestId: 3,
      label: 2,
      probabilities: probs,
    });
    assert.deepEqual(parseExtensionMessage({ type: 'model', model: null }), { type: 'model', model: null });
    assert.deepEqual(parseExtensionMessage({ type: 'model', model: { name: 'cnn-1', valAccuracy: 0.99, x: 1 } }), {
      type: 'model',
      model: { name: 'cnn-1', valAccuracy: 0.99 },
    });
    assert.deepEqual(parseExtensionMessage({ type: 'model', model: { name: 'cnn-1' } }), { type: 'model', model: { name: 'cnn-1' } });
    assert.deepEqual(parseExtensionMessage({ type: 'model', model: { name: 'three', networks: 3 } }), { type: 'model', model: { name: 'three', networks: 3 } });
    for (const networks of [1, 2.5, '3', 11]) assert.equal(checkExtensionMessage({ type: 'model', model: { name: 'three', networks } }).ok, false, `networks ${networks}`);
    assert.deepEqual(parseExtensionMessage({ type: 'error', message: 'boom' }), { type: 'error', message: 'boom' });
    assert.deepEqual(parseExtensionMessage({ type: 'error', message: 'boom', requestId: 4 }), { type: 'error', message: 'boom', requestId: 4 });
    // float32 softmax can round a hair above 1
    assert.ok(parseExtensionMessage({ type: 'prediction', requestId: 0, label: 0, probabilities: [1.0000001, 0, 0, 0, 0, 0, 0, 0, 0, 0] }));
    const map = Array.from({ length: 784 }, (_, i) => (i % 255) - 127);
    assert.deepEqual(parseExtensionMessage({ type: 'prediction', requestId: 3, label: 2, probabilities: probs, why: { contrast: 7, map, x: 1 } }), {
      type: 'prediction',
      requestId: 3,
      label: 2,
      probabilities: probs,
      why: { contrast: 7, map },
    });
    // What the memory of the kept drawings contributed (engine/inference/handMemory.ts), with and without a map.
    const memory = { label: 1, neighbours: 3, weight: 0.7 };
    assert.deepEqual(parseExtensionMessage({ type: 'prediction', requestId: 3, label: 1, probabilities: probs, memory: { ...memory, extra: 1 } }), { type: 'prediction', requestId: 3, label: 1, probabilities: probs, memory });
    assert.deepEqual(parseExtensionMessage({ type: 'prediction', requestId: 3, label: 2, probabilities: probs, why: { contrast: 7, map }, memory }), { type: 'prediction', requestId: 3, label: 2, probabilities: probs, why: { contrast: 7, map }, memory });
    const samples = { type: 'samples', name: 'my-digits.csv', path: '.digit-recognizer/my-digits.csv', count: 3, items: [{ row: 2, key: 'deadbeef', label: 4 }], pixels: Buffer.alloc(784).toString('base64') };
    assert.deepEqual(parseExtensionMessage(samples), samples);
    assert.deepEqual(parseExtensionMessage({ ...samples, count: 0, items: [], pixels: '', error: 'my-digits.csv line 3: …' }), { ...samples, count: 0, items: [], pixels: '', error: 'my-digits.csv line 3: …' });
    assert.deepEqual(parseExtensionMessage({ type: 'sampleSaved', label: 4, count: 12 }), { type: 'sampleSaved', label: 4, count: 12 });
    assert.deepEqual(parseExtensionMessage({ type: 'fineTune', state: 'running', message: 'Pass 1/10', fraction: 0.1 }), { type: 'fineTune', state: 'running', message: 'Pass 1/10', fraction: 0.1 });
    assert.deepEqual(parseExtensionMessage({ type: 'fineTune', state: 'done', message: 'ok' }), { type: 'fineTune', state: 'done', message: 'ok' });
  });

  const bad: Array<[string, unknown]> = [
    ['null', null],
    ['a number', 42],
    ['unknown type', { type: 'predict', requestId: 1, pixels: pixels() }],
    ['prediction with 9 probabilities', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities().slice(1) }],
    ['prediction with 11 probabilities', { type: 'prediction', requestId: 1, label: 1, probabilities: [...probabilities(), 0] }],
    ['prediction with NaN', { type: 'prediction', requestId: 1, label: 1, probabilities: Object.assign(probabilities(), { 3: NaN }) }],
    ['prediction with Infinity', { type: 'prediction', requestId: 1, label: 1, probabilities: Object.assign(probabilities(), { 3: Infinity }) }],
    ['prediction with a negative probability', { type: 'prediction', requestId: 1, label: 1, probabilities: Object.assign(probabilities(), { 3: -0.1 }) }],
    ['prediction with a probability > 1', { type: 'prediction', requestId: 1, label: 1, probabilities: Object.assign(probabilities(), { 3: 1.5 }) }],
    ['prediction with a string probability', { type: 'prediction', requestId: 1, label: 1, probabilities: Object.assign(probabilities(), { 3: '0.1' }) }],
    ['prediction with label 10', { type: 'prediction', requestId: 1, label: 10, probabilities: probabilities() }],
    ['prediction with label -1', { type: 'prediction', requestId: 1, label: -1, probabilities: probabilities() }],
    ['prediction with label 2.5', { type: 'prediction', requestId: 1, label: 2.5, probabilities: probabilities() }],
    ['prediction without requestId', { type: 'prediction', label: 1, probabilities: probabilities() }],
    ['model without model', { type: 'model' }],
    ['model with a string', { type: 'model', model: 'cnn' }],
    ['model without a name', { type: 'model', model: { valAccuracy: 0.9 } }],
    ['model with an empty name', { type: 'model', model: { name: '' } }],
    ['model with accuracy > 1', { type: 'model', model: { name: 'a', valAccuracy: 99 } }],
    ['model with NaN accuracy', { type: 'model', model: { name: 'a', valAccuracy: NaN } }],
    ['error without a message', { type: 'error' }],
    ['error with an object message', { type: 'error', message: { text: 'x' } }],
    ['error with a huge message', { type: 'error', message: 'x'.repeat(20_000) }],
    ['error with a bad requestId', { type: 'error', message: 'x', requestId: 'a' }],
    ['prediction with a map of 783 values', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), why: { contrast: 2, map: new Array(783).fill(0) } }],
    ['prediction with a map value of 128', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), why: { contrast: 2, map: Object.assign(new Array(784).fill(0), { 9: 128 }) } }],
    ['prediction contrasted with itself', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), why: { contrast: 1, map: new Array(784).fill(0) } }],
    ['prediction with a memory that is not an object', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: 'like your 1s' }],
    ['prediction with a memory label of 10', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: { label: 10, neighbours: 1, weight: 0.5 } }],
    ['prediction with a memory of no neighbours', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: { label: 1, neighbours: 0, weight: 0.5 } }],
    ['prediction with a memory of 1.5 neighbours', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: { label: 1, neighbours: 1.5, weight: 0.5 } }],
    ['prediction with a memory weight > 1', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: { label: 1, neighbours: 1, weight: 1.5 } }],
    ['prediction with a NaN memory weight', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: { label: 1, neighbours: 1, weight: NaN } }],
    ['prediction with a memory without a weight', { type: 'prediction', requestId: 1, label: 1, probabilities: probabilities(), memory: { label: 1, neighbours: 1 } }],
    ['samples whose pixels do not match its items', { type: 'samples', name: 'a.csv', path: 'a.csv', count: 2, items: [{ row: 0, key: 'deadbeef', label: 1 }], pixels: '' }],
    ['samples with an item beyond the count', { type: 'samples', name: 'a.csv', path: 'a.csv', count: 1, items: [{ row: 1, key: 'deadbeef', label: 1 }], pixels: Buffer.alloc(784).toString('base64') }],
    ['samples with a bad item label', { type: 'samples', name: 'a.csv', path: 'a.csv', count: 1, items: [{ row: 0, key: 'deadbeef', label: 12 }], pixels: Buffer.alloc(784).toString('base64') }],
    ['samples without a name', { type: 'samples', path: 'a.csv', count: 0, items: [], pixels: '' }],
    ['sampleSaved with count 0', { type: 'sampleSaved', label: 1, count: 0 }],
    ['fineTune with an unknown state', { type: 'fineTune', state: 'exploded', message: '' }],
    ['fineTune with a fraction > 1', { type: 'fineTune', state: 'running', message: '', fraction: 2 }],
  ];
  for (const [what, message] of bad) {
    it(`rejects ${what}`, () => {
      assert.equal(parseExtensionMessage(message), undefined);
      assert.equal(checkExtensionMessage(message).ok, false);
    });
  }
});

describe('pad: what the memory of the kept drawings contributed, in words', () => {
  it('names how many of the nearest kept drawings carry the digit read, or which digit they were', () => {
    assert.equal(memoryText(1, { label: 1, neighbours: 3, weight: 0.7 }), 'Like 3 of your kept 1s');
    assert.equal(memoryText(7, { label: 7, neighbours: 1, weight: 0.7 }), 'Like one of your kept 7s');
    assert.equal(memoryText(4, { label: 9, neighbours: 2, weight: 0.2 }), 'Near 2 of your kept 9s, but read as 4');
  });
});
