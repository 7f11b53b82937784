import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MemberRegistration } from '../../../src/coordination/members.js';
import { PauseWatch } from '../../../src/coordination/pause.js';
import { chainPaths } from '../../../src/coordination/paths.js';
import type { ZkSession } from '../../../src/coordination/zk-session.js';
import { createLogger } from '../../../src/log.js';

// Neither guard below reaches ZooKeeper: a session that only carries listeners is enough. The
// second start() of a started component needs a real session (test/integration/coordination).
const logger = createLogger({ level: 'silent' });
const session = () => Object.assign(new EventEmitter(), { logger }) as unknown as ZkSession;
const paths = chainPaths('/seqchain', 'c1');

describe('PauseWatch lifecycle', () => {
  it('close() returns the same promise on every call; start() after close() is refused', async () => {
    const watch = new PauseWatch(session(), paths, logger);
    const closing = watch.close();
    expect(watch.close()).toBe(closing);
    await closing;
    await expect(watch.start()).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' });
  });
});

describe('MemberRegistration lifecycle', () => {
  it('close() returns the same promise on every call; start() after close() is refused with a typed error', async () => {
    const member = new MemberRegistration(session(), paths, { replicaId: 'r1', pid: 1, host: 'h', startedAt: 0, apiAddress: '', partitions: [] });
    const closing = member.close();
    expect(member.close()).toBe(closing);
    await closing;
    await expect(member.start()).rejects.toMatchObject({ code: 'SEQCHAIN_ERR_ALREADY_STARTED' });
  });
});
