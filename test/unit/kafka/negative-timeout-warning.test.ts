import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dropKafkajsNegativeTimeoutWarning } from '../../../src/kafka/negative-timeout-warning.js';

/** A module at kafkajs' request-queue path that schedules with a negative delay, as kafkajs 2.2.4 does (kafkajs#1751). */
function fakeRequestQueue(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'seqchain-warn-')), 'node_modules', 'kafkajs', 'src', 'network', 'requestQueue');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  writeFileSync(file, 'export function schedule() { clearTimeout(setTimeout(() => undefined, -1 - Date.now())); }\n');
  return file;
}

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
process.on('warning', onWarning);
afterAll(() => void process.off('warning', onWarning));

const negativeTimeoutsWarn = Number(process.versions.node.split('.')[0]) >= 23;

describe('kafkajs negative timeout warning (kafkajs#1751)', () => {
  it("drops the warning kafkajs' request queue causes, and no other", async () => {
    dropKafkajsNegativeTimeoutWarning();
    dropKafkajsNegativeTimeoutWarning(); // installing twice wraps once
    const { schedule } = (await import(pathToFileURL(fakeRequestQueue()).href)) as { schedule: () => void };
    schedule();
    process.emitWarning('still printed', 'SomeOtherWarning');
    process.emitWarning('-5 is a negative number.', 'TimeoutNegativeWarning'); // not from kafkajs
    await new Promise((r) => setImmediate(r));
    // Node ≥ 23 would have warned of kafkajs' delay (-1 - Date.now()); Node 22 never warns.
    expect(negativeTimeoutsWarn || warnings.length === 2).toBe(true);
    expect(warnings).toEqual(['SomeOtherWarning: still printed', 'TimeoutNegativeWarning: -5 is a negative number.']);
  });
});
