import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { indexerSettings, kafkaClientOptions } from '../../src/config/slices.js';
import { LeaderElection } from '../../src/coordination/election.js';
import { MemberRegistration } from '../../src/coordination/members.js';
import { chainPaths } from '../../src/coordination/paths.js';
import type { ZkSession } from '../../src/coordination/zk-session.js';
import { LedgerIndexer } from '../../src/indexer/ledger-indexer.js';
import { createKafka } from '../../src/kafka/client.js';
import { bindOnce, createLogger, type Logger } from '../../src/log.js';
import { duplicateKeys } from '../helpers/log-lines.js';

function capture(options: Parameters<typeof createLogger>[0] = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', name: 'seqchain', ...options, stream: { write: (s: string) => void lines.push(s) } }) };
}

/** A component's private logger, to write one line through it. */
const loggerOf = (component: object, field = 'logger') => (component as Record<string, Logger>)[field]!;

describe('log bindings', () => {
  it('bindOnce binds only the keys the logger does not carry yet; the first scope keeps its value', () => {
    const { logger, lines } = capture();
    const replica = logger.child({ replicaId: 'r1', chain: 'c1' });
    bindOnce(replica, { component: 'indexer', chain: 'c1' }).info('a');
    bindOnce(bindOnce(replica, { component: 'zk' }), { component: 'members', replicaId: 'r1' }).info('b');
    expect(lines.map(duplicateKeys)).toEqual([[], []]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ replicaId: 'r1', chain: 'c1', component: 'indexer', msg: 'a' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ replicaId: 'r1', chain: 'c1', component: 'zk', msg: 'b' });
  });

  it("a replica's components write each key once per line", () => {
    const { logger, lines } = capture();
    const config = loadConfig({ env: {}, overrides: { chain: 'c1', replicaId: 'r1' } });
    // The bindings Replica.start and ZkSession.connect make, then each component's own.
    const log = logger.child({ replicaId: config.replicaId, chain: config.chain });
    const session = { logger: log.child({ component: 'zk' }) } as unknown as ZkSession;
    const paths = chainPaths(config.zookeeper.root, config.chain);
    const kafka = createKafka(kafkaClientOptions(config), log, 'replica');
    kafka.logger().namespace('Connection').error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1', stack: 'Error: …' });
    kafka.logger().namespace('Consumer').error('Crash: KafkaJSError: boom', { groupId: 'g' });
    loggerOf(new MemberRegistration(session, paths, { replicaId: 'r1', pid: 1, host: 'h', startedAt: 0, apiAddress: '', partitions: [] })).warn('member');
    loggerOf(new LeaderElection({ session, paths, replicaId: 'r1', logger: log })).warn('election');
    const indexer = new LedgerIndexer({
      settings: indexerSettings(config),
      kafka,
      redis: { defineCommand: () => undefined } as unknown as Redis,
      logger: log.child({ role: 'indexer' }),
      genesisHash: Buffer.alloc(32),
    });
    loggerOf(indexer, 'log').warn('indexer');

    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) expect(duplicateKeys(line), line).toEqual([]);
    const byMsg = new Map(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((e) => [e.msg, e]));
    expect(byMsg.get('election')).toMatchObject({ component: 'election', replicaId: 'r1', chain: 'c1' });
    expect(byMsg.get('indexer')).toMatchObject({ component: 'indexer', role: 'indexer', chain: 'c1' });
    expect(byMsg.get('Crash: KafkaJSError: boom')).toMatchObject({ component: 'kafkajs', role: 'replica', level: 50 });
  });
});
