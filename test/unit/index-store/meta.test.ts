import { describe, expect, it } from 'vitest';
import { META_FIELDS, parseMeta } from '../../../src/index-store/meta.js';
import { APPLY_CUT, ATTACH, INDEX_SCRIPTS } from '../../../src/index-store/scripts.js';

describe('index meta', () => {
  it('parses an HMGET of META_FIELDS', () => {
    expect(META_FIELDS[0]).toBe('inc');
    const hash = 'ab'.repeat(32);
    expect(parseMeta(['0123456789ab', 'cd'.repeat(32), '1', '42', hash, '3', '7', '15', '1700000000000'])).toEqual({
      inc: '0123456789ab',
      genesisHex: 'cd'.repeat(32),
      layout: '1',
      head: { seq: 42n, hash: Buffer.from(hash, 'hex'), epoch: 3n, cutId: 7n, ledgerOffset: 15n, updatedAtMs: 1_700_000_000_000 },
    });
  });

  it('is null when there is no meta or it is incomplete', () => {
    expect(parseMeta(META_FIELDS.map(() => null))).toBeNull();
    expect(parseMeta(['i', 'g', '1', null, 'ab', '0', '0', '0', '0'])).toBeNull();
  });
});

describe('index Lua scripts', () => {
  it('each opens with a contract header whose name carries its KEYS count', () => {
    for (const s of INDEX_SCRIPTS) {
      const header = s.lua.trim().split('\n')[0]!;
      expect(header).toMatch(/^--\[\[ [a-zA-Z]+-\d(\+n)?$/);
      if (s.keys !== null) expect(header.endsWith(`-${s.keys}`)).toBe(true);
      else expect(header.endsWith('+n')).toBe(true);
    }
    expect(ATTACH.keys).toBe(1);
    expect(APPLY_CUT.keys).toBeNull();
  });
});
