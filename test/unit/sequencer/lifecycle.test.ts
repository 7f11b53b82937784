import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { defaults } from '../../../src/config/defaults.js';
import { createLogger } from '../../../src/log.js';
import type { SequencerCoordination } from '../../../src/sequencer/coordination-port.js';
import { Sequencer } from '../../../src/sequencer/sequencer.js';

/** A port that fails the test if a term ever starts (every term begins by bumping the epoch). */
function noTerm(): SequencerCoordination & { calls: number } {
  const port = {
    calls: 0,
    bumpEpoch: () => {
      port.calls++;
      return Promise.reject(new Error('no term should start'));
    },
    readCounter: () => Promise.reject(new Error('unused')),
    casCounter: () => Promise.reject(new Error('unused')),
    createCounter: () => Promise.reject(new Error('unused')),
    publishLeader: () => Promise.reject(new Error('unused')),
  };
  return port;
}

function sequencer(coordination = noTerm()): Sequencer {
  return new Sequencer({
    chain: 'c1',
    settings: defaults.sequencer,
    metadataMaxAgeMs: defaults.kafka.metadataMaxAgeMs,
    kafka: {} as Kafka,
    logger: createLogger({ level: 'silent' }),
    coordination,
    genesis: { hash: Buffer.alloc(32), start: [0n] },
    sourceTopic: 'src',
  });
}

describe('Sequencer lifecycle', () => {
  it('start() refuses a second call with SEQCHAIN_ERR_ALREADY_STARTED', () => {
    const s = sequencer();
    s.start();
    expect(() => s.start()).toThrow(expect.objectContaining({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' }));
  });

  it('close() returns the same promise on every call, and start() after close() is refused', async () => {
    const s = sequencer();
    const closing = s.close();
    expect(s.close()).toBe(closing);
    await closing;
    expect(() => s.start()).toThrow(expect.objectContaining({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' }));
  });

  it('starts no term before start() or after close()', async () => {
    const port = noTerm();
    const s = sequencer(port);
    s.lead();
    s.start();
    await s.close();
    s.lead();
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.calls).toBe(0);
  });
});
