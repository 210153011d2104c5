// The validation helpers every message validator is written with (src/shared/check.ts).
import * as assert from 'node:assert/strict';
import { array, base64, int, parse } from '../../src/shared/check';

describe('check helpers', () => {
  it('array visits every index: a hole is a missing item, not a skipped one', () => {
    const sparse = [1, 2, 3];
    delete sparse[1];
    assert.deepEqual(parse(() => array(sparse, 'xs', (v, w) => int(v, w))), { ok: false, reason: 'xs[1] is undefined, expected an integer in [0, 9007199254740991]' });
    const copy = array([1, 2, 3], 'xs', (v, w) => int(v, w));
    assert.deepEqual(copy, [1, 2, 3]);
  });

  it('base64 can require an exact byte count', () => {
    const two = Buffer.alloc(2 * 784).toString('base64');
    assert.equal(base64(two, 'pixels', 784, 4 * 784), two);
    assert.equal(base64(two, 'pixels', 784, 2 * 784, 2 * 784), two);
    assert.throws(() => base64(two, 'pixels', 784, 4 * 784, 784), /pixels is "1568 bytes", expected 784 bytes/);
    assert.equal(base64('', 'pixels', 784, 0, 0), '');
  });
});
