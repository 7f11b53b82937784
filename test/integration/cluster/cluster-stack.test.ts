/**
 * seqchain on the cluster stack (`scripts/stack.sh up --cluster`): three Kafka brokers (KRaft,
 * each also a controller), a three-server ZooKeeper ensemble, Redis, on their own ports and work
 * folder beside the shared single-node stack. The test starts the cluster when it is not up and
 * stops it afterwards (a cluster that was already up is left running). Everything seqchain uses
 * comes from the cluster.env the script writes: all three brokers, all three ZooKeeper servers,
 * replication factor 3, min.insync.replicas 2.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Admin, ConfigResourceTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../helpers/env-file.js';
import { REPO, ReplicaSet, runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import { loadConfig } from '../../../src/config/load.js';
import { kafkaClientOptions } from '../../../src/config/slices.js';
import { createKafka } from '../../../src/kafka/client.js';
import { kafkaNames } from '../../../src/kafka/names.js';
import { createLogger } from '../../../src/log.js';
import type { VerifyReport } from '../../../src/verify/verify-chain.js';

const exec = promisify(execFile);

const STACK_DIR = join(REPO, '.stack-cluster');
/** What selects the cluster and its folder; its ports are the script's defaults (29592…) unless SEQCHAIN_CLUSTER_* say otherwise. */
const STACK_ENV = { SEQCHAIN_STACK_CLUSTER: '1', SEQCHAIN_CLUSTER_DIR: STACK_DIR, SEQCHAIN_STACK_COMPONENTS: 'zookeeper kafka redis' };
const port = (variable: string, fallback: number) => Number(process.env[variable] || fallback);
const three = (first: number) => [0, 1, 2].map((i) => `127.0.0.1:${first + i}`).join(',');
const RECORDS = 2_000;
const chain = `cl-${randomUUID().slice(0, 8)}`;
const topic = `${chain}.source`;
const logger = createLogger({ level: 'warn', name: 'cluster-stack-test' });

let clusterEnv: Record<string, string> = {};
let env: Record<string, string> = {};
let admin: Admin | null = null;
let set: ReplicaSet | null = null;
let startedHere = false;
/** A broker this test stopped and has not started again (started in afterAll if a test failed). */
let stoppedBroker: string | null = null;

function stack(...args: string[]) {
  return exec('bash', [join(REPO, 'scripts', 'stack.sh'), ...args], { env: { ...process.env, ...STACK_ENV }, timeout: 420_000 });
}

async function topicReplicas(topics: string[]) {
  const { topics: meta } = await admin!.fetchTopicMetadata({ topics });
  return new Map(meta.map((t) => [t.name, t.partitions]));
}

async function topicConfig(name: string, configNames: string[]): Promise<Record<string, string>> {
  const { resources } = await admin!.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames }] });
  return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
}

beforeAll(async () => {
  const t0 = Date.now();
  const status = await stack('status').then(
    () => true,
    () => false,
  );
  if (!status) {
    startedHere = true;
    await stack('up');
  }
  process.stderr.write(`cluster stack: ${status ? 'already up' : `started in ${((Date.now() - t0) / 1000).toFixed(1)} s`}\n`);
  clusterEnv = parseEnvFile(readFileSync(join(STACK_DIR, 'cluster.env'), 'utf8'));
  env = { ...clusterEnv, SEQCHAIN_CHAIN: chain, SEQCHAIN_LOG_LEVEL: 'info' };
  const config = loadConfig({ env: { ...clusterEnv, SEQCHAIN_LOG_LEVEL: 'warn' }, overrides: { chain } });
  admin = createKafka(kafkaClientOptions(config), logger, 'cluster-test').admin();
  await admin.connect();
  set = new ReplicaSet({ chain, logDir: join(REPO, '.stack', 'test-logs', chain), env, logger, config });
}, 420_000);

afterAll(async () => {
  await set?.close().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  if (startedHere) await stack('down', '--purge');
  else if (stoppedBroker) await stack('start', stoppedBroker);
}, 120_000);

describe('the cluster stack as the script sets it up', () => {
  it('cluster.env names the three brokers, the three ZooKeeper servers, Redis, replication 3 and min ISR 2', () => {
    expect(clusterEnv).toEqual({
      SEQCHAIN_KAFKA_BROKERS: three(port('SEQCHAIN_CLUSTER_KAFKA_PORT', 29592)),
      SEQCHAIN_ZK_CONNECT: three(port('SEQCHAIN_CLUSTER_ZK_PORT', 22581)),
      SEQCHAIN_REDIS_URL: `redis://127.0.0.1:${port('SEQCHAIN_CLUSTER_REDIS_PORT', 26779)}`,
      SEQCHAIN_KAFKA_REPLICATION_FACTOR: '3',
      SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
  });
});

describe('seqchain on three brokers with replication factor 3 and min.insync.replicas 2', () => {
  it('init creates the topics with 3 replicas and min ISR 2; the internal topics it used have them too', async () => {
    expect((await admin!.describeCluster()).brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    const init = await runCli(['init', '--topic', topic, '--partitions', '4', '--json'], env);
    expect(init.code, init.stderr).toBe(0);

    // init set the worker group's offsets (__consumer_offsets) and wrote the genesis in a
    // transaction (__transaction_state): both exist now, with the cluster's settings.
    const ledger = kafkaNames.ledgerTopic(chain);
    const digests = kafkaNames.digestTopic(chain);
    const internal = ['__consumer_offsets', '__transaction_state'];
    const meta = await topicReplicas([topic, ledger, digests, ...internal]);
    for (const [name, partitions] of meta) {
      expect(partitions.length, name).toBeGreaterThan(0);
      for (const p of partitions) {
        expect([...p.replicas].sort(), `${name}[${p.partitionId}] replicas`).toEqual([1, 2, 3]);
        expect(p.isr.length, `${name}[${p.partitionId}] in sync`).toBe(3);
      }
    }
    for (const name of [topic, ledger, digests, ...internal]) {
      expect(await topicConfig(name, ['min.insync.replicas', 'unclean.leader.election.enable']), name).toEqual({
        'min.insync.replicas': '2',
        'unclean.leader.election.enable': 'false',
      });
    }
  }, 60_000);

  it('two replicas sequence; the broker leading the ledger is stopped by name and sequencing goes on; it comes back', async () => {
    set!.start('r1');
    set!.start('r2');
    const produce = async (n: number) => {
      const out = await runCli(['produce', '--topic', topic, '-n', String(n), '--json'], env);
      expect(out.code, out.stderr).toBe(0);
    };
    await produce(RECORDS);
    await waitFor(`${RECORDS} sequenced`, async () => (await set!.sequenced()) >= RECORDS, 60_000, 100);

    const ledger = kafkaNames.ledgerTopic(chain);
    const leaderOf = async () => (await topicReplicas([ledger])).get(ledger)![0]!.leader;
    const victim = `kafka-${await leaderOf()}`;
    const stopped = Date.now();
    stoppedBroker = victim;
    await stack('stop', victim);
    const stopMs = Date.now() - stopped;
    expect((await admin!.describeCluster()).brokers.length).toBe(2);

    await produce(RECORDS);
    await waitFor(`${2 * RECORDS} sequenced with ${victim} down`, async () => (await set!.sequenced()) >= 2 * RECORDS, 60_000, 100);
    const resumedMs = Date.now() - stopped;
    expect(`kafka-${await leaderOf()}`).not.toBe(victim);

    const started = Date.now();
    await stack('start', victim);
    stoppedBroker = null;
    const startMs = Date.now() - started;
    expect((await admin!.describeCluster()).brokers.length).toBe(3);
    // The broker catches up: the ledger is back to three in-sync replicas.
    await waitFor('ledger ISR back to 3', async () => (await topicReplicas([ledger])).get(ledger)![0]!.isr.length === 3, 60_000, 250);
    process.stderr.write(`cluster stack: stop ${victim} ${stopMs} ms, ${RECORDS} more sequenced ${resumedMs} ms after the stop began, start ${startMs} ms\n`);

    await produce(RECORDS);
    await waitFor(`${3 * RECORDS} sequenced`, async () => (await set!.sequenced()) >= 3 * RECORDS, 60_000, 100);
    const verify = await runCli(['verify', '--json'], env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout) as VerifyReport).toMatchObject({
      ok: true,
      records: 3 * RECORDS,
      lastSeq: 3 * RECORDS,
      sourceRecordsMatched: 3 * RECORDS,
    });
  }, 240_000);
});
