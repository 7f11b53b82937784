/**
 * Shared checks of the operations tests: partition ownership settled over the expected members,
 * and docs/DESIGN.md invariant 1 plus `seqchain verify` at the end of a test.
 */
import { afterEach, expect } from 'vitest';
import { runCli, waitFor } from '../../../scripts/lib/replica-set.js';
import type { MemberInfo } from '../../../src/coordination/members.js';
import type { VerifyReport } from '../../../src/verify/verify-chain.js';
import { ChainFixture, invariantOneViolations, type LedgerRow } from '../../helpers/chain-fixture.js';
import { LoadGenerator } from '../../helpers/load.js';

/** The chain and the load generator of the running test: made by the test, torn down after it. */
export class PerTest {
  fixture: ChainFixture | null = null;
  load: LoadGenerator | null = null;

  chain(env: Record<string, string> = {}): ChainFixture {
    this.fixture = new ChainFixture(env);
    return this.fixture;
  }

  async startLoad(f: ChainFixture, rate: number): Promise<LoadGenerator> {
    this.load = new LoadGenerator(f.kafka, f.topic, { rate });
    await this.load.start();
    return this.load;
  }

  /** Stops the load; the records the broker acknowledged. */
  async stopLoad(): Promise<number> {
    const total = await this.load!.stop();
    this.load = null;
    return total;
  }

  async close(): Promise<void> {
    await this.load?.stop().catch(() => undefined);
    this.load = null;
    await this.fixture?.close();
    this.fixture = null;
  }
}

/** One PerTest for a test file, closed after each test. */
export function perTest(): PerTest {
  const t = new PerTest();
  afterEach(() => t.close());
  return t;
}

/** Problems with the ownership the members publish: each of `partitions` owned by exactly one of `ids`. */
export function ownershipProblems(members: readonly MemberInfo[], ids: readonly string[], partitions: number): string[] {
  const problems: string[] = [];
  const names = members.map((m) => m.replicaId).sort();
  if (JSON.stringify(names) !== JSON.stringify([...ids].sort())) problems.push(`members are [${names.join(', ')}], expected [${[...ids].sort().join(', ')}]`);
  const owned = members.flatMap((m) => m.partitions).sort((a, b) => a - b);
  const all = Array.from({ length: partitions }, (_, p) => p);
  if (JSON.stringify(owned) !== JSON.stringify(all)) problems.push(`owned partitions are [${owned.join(', ')}], expected each of [${all.join(', ')}] once`);
  for (const m of members) if (m.partitions.length === 0 && ids.length <= partitions) problems.push(`${m.replicaId} owns no partition`);
  return problems;
}

/**
 * Inits the chain with `partitions` source partitions and starts `count` replicas
 * (`<chain>-r1`…); returns their ids once one leads and ownership has settled over all of them.
 */
export async function startReplicaSet(f: ChainFixture, partitions: number, count: number): Promise<string[]> {
  await f.init(partitions);
  const ids = Array.from({ length: count }, (_, i) => `${f.chain}-r${i + 1}`);
  for (const id of ids) f.set.start(id);
  await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
  await waitForOwnership(f, ids, partitions);
  return ids;
}

/** Waits until exactly `ids` are members and their partitions cover 0..partitions-1 exactly once. */
export async function waitForOwnership(f: ChainFixture, ids: readonly string[], partitions: number, timeoutMs = 45_000): Promise<MemberInfo[]> {
  let last: string[] = [];
  try {
    return await waitFor(
      `ownership of ${partitions} partitions settled over ${ids.length} members`,
      async () => {
        const members = await f.set.members();
        last = ownershipProblems(members, ids, partitions);
        return last.length === 0 ? members : undefined;
      },
      timeoutMs,
      200,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}: ${last.join('; ')}`);
  }
}

/** Waits until `records` are sequenced, then checks invariant 1 from the raw topics. */
export async function expectInvariantOne(f: ChainFixture, records: number, timeoutMs = 90_000): Promise<LedgerRow[]> {
  await waitFor(`${records} records sequenced`, async () => (await f.set.sequenced()) >= records, timeoutMs, 200);
  const [source, rows] = await Promise.all([f.sourcePositions(), f.ledgerRows()]);
  expect(source.reduce((n, p) => n + p.length, 0)).toBe(records);
  expect(rows.length).toBe(records);
  expect(invariantOneViolations(source, rows)).toEqual([]);
  return rows;
}

/** `seqchain verify --json` as a user runs it; expects exit 0 and every record matched. */
export async function expectVerified(f: ChainFixture, records: number): Promise<VerifyReport> {
  const out = await runCli(['verify', '--json'], { SEQCHAIN_CHAIN: f.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
  const report = JSON.parse(out.stdout) as VerifyReport;
  expect(report.firstBreak).toBeNull();
  expect(out.code).toBe(0);
  expect(report).toMatchObject({ ok: true, records, sourceRecordsMatched: records, firstSeq: 1, lastSeq: records, gaps: 0, duplicates: 0 });
  return report;
}

/** Epochs of the ledger rows in ledger order, deduplicated: they never go down. */
export function epochsOf(rows: readonly LedgerRow[]): bigint[] {
  const epochs: bigint[] = [];
  for (const r of rows) if (epochs[epochs.length - 1] !== r.epoch) epochs.push(r.epoch);
  expect(epochs).toEqual([...epochs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  return epochs;
}
