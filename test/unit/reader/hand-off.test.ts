import { describe, expect, it } from 'vitest';
import { HandOff } from '../../../src/reader/hand-off.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('HandOff between the reader’s ledger side and its caller', () => {
  it('hands items over in order and holds the producer back at its capacity', async () => {
    const q = new HandOff<number>(2);
    let put = 0;
    const producing = (async () => {
      for (let i = 1; i <= 5; i++) {
        if (!(await q.put(i))) return;
        put = i;
      }
      q.finish();
    })();
    await tick();
    expect(put).toBe(2);
    const got: number[] = [];
    for (let x = await q.take(); x !== null; x = await q.take()) got.push(x);
    await producing;
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });

  it('throws the producer’s error only after every item before it', async () => {
    const q = new HandOff<string>(4);
    await q.put('a');
    q.finish(new Error('cut 7 does not verify'));
    expect(await q.take()).toBe('a');
    await expect(q.take()).rejects.toThrow('cut 7 does not verify');
  });

  it('releases a waiting producer when the caller stops, and hands back what it held', async () => {
    const q = new HandOff<number>(1);
    await q.put(1);
    const blocked = q.put(2);
    expect(q.close()).toEqual([1]);
    expect(await blocked).toBe(false);
    expect(await q.put(3)).toBe(false);
  });

  it('wakes a waiting caller when an item comes', async () => {
    const q = new HandOff<number>(1);
    const taking = q.take();
    await tick();
    await q.put(9);
    expect(await taking).toBe(9);
  });
});
