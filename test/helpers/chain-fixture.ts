/**
 * A chain on the real local stack for one test: unique names, replicas as processes, and
 * independent readers of what the source topic and the ledger hold (invariant 1 is checked
 * against these, not against seqchain's own verifier alone).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { produce, type ProduceOptions } from '../../src/cli/commands/produce.js';
import type { GenesisRecord } from '../../src/coordination/genesis-store.js';
import { createKafka } from '../../src/kafka/client.js';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { readLedger } from '../../src/kafka/ledger-reader.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import { readRanges } from '../../src/kafka/range-reader.js';
import { createLogger } from '../../src/log.js';
import { initChain } from '../../src/ops/init-chain.js';
import type { LedgerMessage } from '../../src/wire/ledger-v1.js';
import { REPO, ReplicaSet, waitFor } from '../../scripts/lib/replica-set.js';

export interface LedgerRow {
  seq: bigint;
  partition: number;
  offset: bigint;
  epoch: bigint;
}

export class ChainFixture {
  readonly chain = `t-${randomUUID().slice(0, 8)}`;
  readonly topic = `${this.chain}.source`;
  readonly logger = createLogger({ level: 'warn', name: 'test' });
  readonly set: ReplicaSet;
  readonly kafka: Kafka;
  genesis!: GenesisRecord;

  constructor(private readonly env: Record<string, string> = {}) {
    this.set = new ReplicaSet({ chain: this.chain, logDir: join(REPO, '.stack', 'test-logs', this.chain), env, logger: this.logger });
    this.kafka = createKafka(kafkaClientOptions(this.set.config), this.logger, 'test');
  }

  /** `seqchain init` as the replicas' environment configures it (the log view's key goes into the genesis). */
  async init(partitions: number): Promise<GenesisRecord> {
    const config = loadConfig({ env: { ...process.env, ...this.env }, overrides: { chain: this.chain } });
    this.genesis = await initChain(config, this.logger, { topic: this.topic, partitions, start: 'earliest', force: false });
    return this.genesis;
  }

  /**
   * The usual start of a test: the chain with `partitions` source partitions, one replica
   * (`<chain>-<replica>`) leading, and `records` records produced and sequenced.
   */
  async startSequenced(partitions: number, records: number, replica = 'r1'): Promise<void> {
    await this.init(partitions);
    this.set.start(`${this.chain}-${replica}`);
    await waitFor('a leader', async () => (await this.set.leader()) ?? undefined, 60_000);
    await this.produce(records);
    await waitFor(`${records} sequenced`, async () => (await this.set.sequenced()) >= records, 120_000, 100);
  }

  produce(count: number, opts: Partial<ProduceOptions> = {}) {
    return produce(this.set.config, this.logger, {
      topic: this.topic,
      count,
      rate: 0,
      size: 100,
      keys: 100,
      headers: 2,
      transactional: false,
      batchSize: 500,
      quiet: true,
      ...opts,
    });
  }

  /** Every committed record position of the source topic, per partition, in offset order. */
  async sourcePositions(): Promise<bigint[][]> {
    const out: bigint[][] = [];
    const offsets = await withAdmin(this.kafka, (admin) => topicOffsets(admin, this.topic));
    const ranges = new Map(offsets.map((o) => [o.partition, { from: o.low, to: o.high }]));
    for (const o of offsets) out[o.partition] = [];
    await readRanges({
      kafka: this.kafka,
      topic: this.topic,
      ranges,
      groupPrefix: `${this.chain}.check`,
      logger: this.logger,
      onMessages: (p, ms) => void out[p]!.push(...ms.map((m) => BigInt(m.offset))),
    });
    return out;
  }

  /** The ledger's last stable offset: where a read_committed reader ends. */
  async ledgerEnd(): Promise<bigint> {
    const [ledger] = await withAdmin(this.kafka, (admin) => topicOffsets(admin, kafkaNames.ledgerTopic(this.chain)));
    return ledger!.high;
  }

  /** Every committed ledger message, decoded, in ledger order (throws on one that does not decode). */
  async ledgerMessages(): Promise<LedgerMessage[]> {
    const ledgerTopic = kafkaNames.ledgerTopic(this.chain);
    const out: LedgerMessage[] = [];
    await readLedger({
      kafka: this.kafka,
      ledgerTopic,
      from: 0n,
      to: await this.ledgerEnd(),
      groupPrefix: `${this.chain}.check`,
      logger: this.logger,
      onMessage: (_offset, message) => {
        if (message instanceof Error) throw message;
        out.push(message);
      },
    });
    return out;
  }

  /** Every entry of the ledger in ledger order, with its global seq and the epoch that wrote it. */
  async ledgerRows(): Promise<LedgerRow[]> {
    const rows: LedgerRow[] = [];
    for (const msg of await this.ledgerMessages()) {
      if (msg.kind === 'cut')
        msg.entries.forEach((e, i) => {
          rows.push({ seq: msg.firstSeq + BigInt(i), partition: e.partition, offset: e.offset, epoch: msg.epoch });
        });
    }
    return rows;
  }

  async close(): Promise<void> {
    await this.set.close();
  }
}

/**
 * Invariant 1 of docs/DESIGN.md, checked from raw topic contents: every source record appears in the
 * ledger exactly once, global seqs are 1..N with no gap, per-partition offset order is kept.
 * Returns a list of violations (empty when the invariant holds).
 */
export function invariantOneViolations(source: bigint[][], rows: LedgerRow[]): string[] {
  const problems: string[] = [];
  rows.forEach((r, i) => {
    if (r.seq !== BigInt(i + 1)) problems.push(`ledger row ${i} has seq ${r.seq}, expected ${i + 1}`);
  });
  const perPartition: bigint[][] = source.map(() => []);
  for (const r of rows) (perPartition[r.partition] ??= []).push(r.offset);
  source.forEach((offsets, p) => {
    const ledger = perPartition[p] ?? [];
    const seen = new Set<bigint>();
    for (let i = 0; i < ledger.length; i++) {
      if (seen.has(ledger[i]!)) problems.push(`partition ${p} offset ${ledger[i]} sequenced twice`);
      seen.add(ledger[i]!);
      if (i > 0 && ledger[i]! <= ledger[i - 1]!) problems.push(`partition ${p}: offset ${ledger[i]} sequenced after ${ledger[i - 1]}`);
    }
    for (const o of offsets) if (!seen.has(o)) problems.push(`partition ${p} offset ${o} never sequenced`);
    const inSource = new Set(offsets);
    for (const o of ledger) if (!inSource.has(o)) problems.push(`partition ${p} offset ${o} sequenced but not in the source`);
  });
  return problems.slice(0, 20);
}
