import { describe, expect, it } from 'vitest';
import { genesisFieldsDiffering } from '../../../src/verify/genesis-diff.js';

const g = { chainId: 'c', topic: 's', start: [0n, 5n], createdAtMs: 1n, nonce: Buffer.alloc(16, 1) };

describe('genesisFieldsDiffering', () => {
  it('lists the fields that differ, none for equal ones', () => {
    expect(genesisFieldsDiffering(g, { ...g, start: [0n, 5n] })).toEqual([]);
    expect(genesisFieldsDiffering(g, { ...g, start: [0n, 6n], createdAtMs: 2n })).toEqual(['start', 'createdAtMs']);
    expect(genesisFieldsDiffering(g, { ...g, start: [0n], nonce: Buffer.alloc(16, 2), topic: 't' })).toEqual(['topic', 'start', 'nonce']);
  });
});
