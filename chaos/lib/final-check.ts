/**
 * The end of a chaos run: wait until the ledger covers the whole source topic (the backlog),
 * stop the replicas, then read the source topic (every partition, every record) and the whole
 * ledger (read_committed, from the genesis) and run the history check, and run
 * `seqchain verify --json` as a user would. Every failure is a named violation.
 */
import { runCli } from '../../scripts/lib/replica-set.js';
import { readLedger } from '../../src/kafka/ledger-reader.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import { readRanges } from '../../src/kafka/range-reader.js';
import type { VerifyReport } from '../../src/verify/verify-chain.js';
import type { ChaosCluster } from './cluster.js';
import { HistoryChecker, type HistoryVerdict } from './history.js';

export interface FinalCheck {
  verdict: HistoryVerdict;
  verify: VerifyReport | null;
  /** From the producer's stop until the ledger covered the whole source topic, ms (null: never). */
  drainMs: number | null;
}

export async function finalCheck(c: ChaosCluster, ackedEnd: readonly number[], stoppedAt: number, drainTimeoutMs: number): Promise<FinalCheck> {
  const checker = new HistoryChecker(c.zombieEpochs);
  const ends = await withAdmin(c.kafka, (admin) => topicOffsets(admin, c.topic));
  const topicEnd: number[] = [];
  for (const o of ends) topicEnd[o.partition] = Number(o.high);
  c.say(`chaos: waiting for the backlog: the ledger must cover ${topicEnd.reduce((a, b) => a + b, 0)} source offsets over ${topicEnd.length} partitions`);
  const drainedAt = await c.watcher.waitFor(() => c.watcher.covers(topicEnd), drainTimeoutMs);
  const drainMs = drainedAt === null ? null : drainedAt - stoppedAt;
  if (drainedAt === null) {
    const behind = topicEnd.map((end, p) => ({ p, end, at: c.watcher.state.coverage[p] ?? 0 })).filter((x) => x.at < x.end);
    checker.add(
      'backlog',
      `the ledger did not cover the source topic ${drainTimeoutMs} ms after the producer stopped: ${behind.map((x) => `p${x.p} at ${x.at} of ${x.end}`).join(', ')}`,
    );
  }
  c.say('chaos: stopping the replicas (SIGTERM) for the final check');
  await c.set.stopAll('SIGTERM');

  c.say('chaos: reading the whole ledger (read_committed, from the genesis)');
  const ledgerTopic = kafkaNames.ledgerTopic(c.chain);
  const [ledger] = await withAdmin(c.kafka, (admin) => topicOffsets(admin, ledgerTopic));
  await readLedger({
    kafka: c.kafka,
    ledgerTopic,
    from: 0n,
    to: ledger!.high,
    groupPrefix: `chaos.${c.chain}.check`,
    logger: c.logger,
    onMessage: (offset, msg) => {
      if (msg instanceof Error) checker.add('malformed', `ledger offset ${offset} does not decode: ${msg.message}`);
      else if (msg.kind === 'genesis') checker.genesis(Number(offset));
      else {
        checker.cut({
          ledgerOffset: Number(offset),
          epoch: Number(msg.epoch),
          firstSeq: Number(msg.firstSeq),
          lastSeq: Number(msg.lastSeq),
          entries: msg.entries.map((e) => ({ partition: e.partition, offset: Number(e.offset) })),
        });
      }
    },
  });

  c.say('chaos: reading the whole source topic');
  const source: number[][] = [];
  const ranges = new Map<number, { from: bigint; to: bigint }>();
  for (const o of ends) {
    source[o.partition] = [];
    ranges.set(o.partition, { from: o.low, to: o.high });
  }
  await readRanges({
    kafka: c.kafka,
    topic: c.topic,
    ranges,
    groupPrefix: `chaos.${c.chain}.source`,
    logger: c.logger,
    onMessages: (p, ms) => void source[p]!.push(...ms.map((m) => Number(m.offset))),
  });
  const verdict = checker.finish(source, ackedEnd);

  c.say('chaos: running seqchain verify --json');
  const out = await runCli(['verify', '--json'], { SEQCHAIN_CHAIN: c.chain, SEQCHAIN_LOG_LEVEL: 'warn' });
  let verify: VerifyReport | null = null;
  try {
    verify = JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as VerifyReport;
  } catch {
    checker.add('verify', `seqchain verify exited ${out.code} without a JSON report: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  if (verify) {
    const problems: string[] = [];
    if (out.code !== 0 || !verify.ok)
      problems.push(`exit ${out.code}, ok ${verify.ok}${verify.firstBreak ? `, first break: ${verify.firstBreak.message}` : ''}`);
    if (verify.records !== verdict.records) problems.push(`${verify.records} records in its report, the history check read ${verdict.records}`);
    if (verify.sourceRecordsMatched !== verdict.sourceRecords)
      problems.push(`${verify.sourceRecordsMatched} source records matched of ${verdict.sourceRecords}`);
    if (verify.gaps !== 0 || verify.duplicates !== 0) problems.push(`${verify.gaps} gaps, ${verify.duplicates} duplicates`);
    if (verify.unsequenced.length > 0) problems.push(`unsequenced: ${verify.unsequenced.map((u) => `p${u.partition} ${u.from}..${u.to}`).join(', ')}`);
    for (const p of problems) checker.add('verify', `seqchain verify: ${p}`);
  }
  return { verdict: checker.verdict(verdict.sourceRecords), verify, drainMs };
}
