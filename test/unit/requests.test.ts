// The one request/reply helper (src/shared/requests.ts) that the pad webview, the engine client
// and the replica pool use to match replies to what they asked.
import * as assert from 'node:assert/strict';
import { PendingRequests } from '../../src/shared/requests';

/** Whether a promise has settled, after the microtasks queued so far ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('PendingRequests', () => {
  it('sends each request under a fresh id and settles it with the reply of that id, in any order', async () => {
    const requests = new PendingRequests<string>();
    const sent: number[] = [];
    const a = requests.send((id) => sent.push(id));
    const b = requests.send((id) => sent.push(id));
    const c = requests.send((id) => sent.push(id));
    assert.deepEqual(sent, [1, 2, 3]);
    assert.equal(requests.size, 3);
    assert.equal(requests.resolve(2, 'two'), true);
    assert.equal(requests.resolve(3, 'three'), true);
    assert.equal(requests.reject(1, new Error('one failed')), true);
    assert.equal(await b, 'two');
    assert.equal(await c, 'three');
    await assert.rejects(a, /one failed/);
    assert.equal(requests.size, 0);
  });

  it('drops a reply nobody waits for: unknown, already settled or repeated', async () => {
    const requests = new PendingRequests<string>();
    const a = requests.send(() => {});
    assert.equal(requests.resolve(7, 'stranger'), false);
    assert.equal(requests.reject(7, new Error('stranger')), false);
    assert.equal(requests.event(7, undefined as never), false);
    assert.equal(requests.resolve(1, 'first'), true);
    assert.equal(requests.resolve(1, 'again'), false);
    assert.equal(await a, 'first');
  });

  it('hands events to their request, which keeps waiting', async () => {
    const requests = new PendingRequests<number, string>();
    const seen: string[] = [];
    const other: string[] = [];
    const a = requests.send(() => {}, (e) => seen.push(e));
    requests.send(() => {}, (e) => other.push(e));
    assert.equal(requests.event(1, 'epoch 1'), true);
    assert.equal(requests.event(1, 'epoch 2'), true);
    assert.equal(await settled(a), false);
    requests.resolve(1, 42);
    assert.equal(await a, 42);
    assert.deepEqual(seen, ['epoch 1', 'epoch 2']);
    assert.deepEqual(other, []);
    assert.equal(requests.event(1, 'late'), false, 'no events after the reply');
  });

  it('fails every waiting request at once when the other side goes, and only those', async () => {
    const requests = new PendingRequests<string>();
    const done = requests.send(() => {});
    requests.resolve(1, 'ok');
    const a = requests.send(() => {});
    const b = requests.send(() => {});
    requests.rejectAll(new Error('The worker stopped (exit code 1)'));
    await assert.rejects(a, /exit code 1/);
    await assert.rejects(b, /exit code 1/);
    assert.equal(await done, 'ok');
    assert.equal(requests.size, 0);
    assert.equal(requests.resolve(2, 'late'), false);
  });

  it('fails a request whose sending throws, and forgets it', async () => {
    const requests = new PendingRequests<string>();
    const a = requests.send(() => {
      throw new Error('could not clone');
    });
    await assert.rejects(a, /could not clone/);
    assert.equal(requests.size, 0);
    const b = requests.send(() => {
      throw 'a string'; // eslint-disable-line no-throw-literal
    });
    await assert.rejects(b, /a string/);
  });

  it('waits under ids the caller chooses (a worker index), one request per id', async () => {
    const requests = new PendingRequests<string>();
    const zero = requests.expect(0);
    const one = requests.expect(1);
    await assert.rejects(requests.expect(0), /already waiting under id 0/);
    assert.equal(requests.has(0), true);
    requests.resolve(1, 'from 1');
    requests.resolve(0, 'from 0');
    assert.equal(await zero, 'from 0');
    assert.equal(await one, 'from 1');
    assert.equal(requests.has(0), false);
    const again = requests.expect(0);
    requests.resolve(0, 'next');
    assert.equal(await again, 'next');
  });

  it('forgets stale requests: their replies are dropped and their promises never settle', async () => {
    const requests = new PendingRequests<string>();
    const stale = requests.send(() => {});
    requests.forget();
    const fresh = requests.send(() => {});
    assert.equal(requests.resolve(1, 'stale answer'), false);
    assert.equal(await settled(stale), false);
    assert.equal(requests.resolve(2, 'fresh answer'), true);
    assert.equal(await fresh, 'fresh answer');
  });

  it('latest wins: a reply also forgets every older request, so a late older reply is not shown over it', async () => {
    const requests = new PendingRequests<string>({ latestWins: true });
    const first = requests.send(() => {});
    const second = requests.send(() => {});
    const third = requests.send(() => {});
    const fourth = requests.send(() => {});
    // The other side skipped 1 (stale by the time it was free) and answered 3.
    assert.equal(requests.resolve(3, 'three'), true);
    assert.equal(await third, 'three');
    assert.equal(requests.resolve(1, 'one'), false);
    assert.equal(requests.reject(2, new Error('two')), false);
    assert.equal(await settled(first), false);
    assert.equal(await settled(second), false);
    // Newer requests still wait; an error is a reply too.
    assert.equal(requests.reject(4, new Error('No model is active')), true);
    await assert.rejects(fourth, /No model is active/);
    // Without latestWins an older reply still counts.
    const plain = new PendingRequests<string>();
    const p1 = plain.send(() => {});
    plain.send(() => {});
    plain.resolve(2, 'two');
    assert.equal(plain.resolve(1, 'one'), true);
    assert.equal(await p1, 'one');
  });
});
