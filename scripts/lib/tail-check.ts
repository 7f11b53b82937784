/**
 * The demo's check of `seqchain tail --json`: the first and the last records it prints are the
 * ledger's seqs in order, at the ledger's positions, and hold exactly what `produce` wrote there
 * (recomputed from each value's index and the run's payload by `producedMessage`).
 */
import type { Config } from '../../src/config/schema.js';
import type { SequencedRecordJson as TailJson } from '../../src/reader/record-json.js';
import { type ProduceOptions, producedMessage } from '../../src/cli/commands/produce.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { createKafka } from '../../src/kafka/client.js';
import { readLedger } from '../../src/kafka/ledger-reader.js';
import { kafkaNames } from '../../src/kafka/names.js';
import { topicOffsets, withAdmin } from '../../src/kafka/offsets.js';
import type { Logger } from '../../src/log.js';
import { runCli } from './replica-set.js';

export interface Produced {
  partitions: number;
  opts: Pick<ProduceOptions, 'size' | 'keys' | 'headers'>;
  payload: Buffer;
}

export interface TailCheck {
  first: number;
  last: number;
  matched: boolean;
  /** The first differences found (empty when matched). */
  problems: string[];
}

/** The ledger's position of every seq in [from, to], read from the ledger topic itself. */
async function ledgerPositions(config: Readonly<Config>, logger: Logger, from: bigint, to: bigint): Promise<Map<bigint, string>> {
  const kafka = createKafka(kafkaClientOptions(config), logger, 'demo-check');
  const ledgerTopic = kafkaNames.ledgerTopic(config.chain);
  const [ledger] = await withAdmin(kafka, (admin) => topicOffsets(admin, ledgerTopic));
  const out = new Map<bigint, string>();
  await readLedger({
    kafka,
    ledgerTopic,
    from: 0n,
    to: ledger!.high,
    groupPrefix: `${config.chain}.demo-check`,
    logger,
    onMessage: (_offset, msg) => {
      if (msg instanceof Error) throw msg;
      if (msg.kind !== 'cut') return;
      msg.entries.forEach((e, i) => {
        const seq = msg.firstSeq + BigInt(i);
        if (seq >= from && seq <= to) out.set(seq, `${e.partition}/${e.offset}`);
      });
    },
  });
  return out;
}

const b64 = (b: Buffer | string | null): string | null => (b === null ? null : Buffer.from(b).toString('base64'));

/** Differences between tail's lines for seqs [from, to] and the ledger and the produced records. */
function compare(lines: TailJson[], from: bigint, to: bigint, ledger: Map<bigint, string>, produced: Produced): string[] {
  const problems: string[] = [];
  const count = Number(to - from + 1n);
  if (lines.length !== count) problems.push(`seqs ${from}..${to}: tail printed ${lines.length} records, expected ${count}`);
  lines.forEach((r, i) => {
    const seq = from + BigInt(i);
    if (r.seq !== seq.toString()) problems.push(`line ${i}: seq ${r.seq}, expected ${seq}`);
    if (`${r.partition}/${r.offset}` !== ledger.get(seq)) problems.push(`seq ${r.seq}: at ${r.partition}/${r.offset}, the ledger says ${ledger.get(seq)}`);
    const value = r.value === null ? null : Buffer.from(r.value, 'base64');
    if (value === null || value.length < 8) {
      problems.push(`seq ${r.seq}: value ${r.value} is not a produced one`);
      return;
    }
    const m = producedMessage(value.readUInt32BE(0), produced.partitions, produced.opts, produced.payload);
    const headers = Object.entries(m.headers).flatMap(([name, vs]) => vs.map((v) => ({ name, value: b64(v) })));
    if (r.partition !== m.partition || r.key !== b64(m.key) || r.value !== b64(m.value) || JSON.stringify(r.headers) !== JSON.stringify(headers))
      problems.push(`seq ${r.seq}: record ${JSON.stringify(r).slice(0, 200)} differs from the produced one`);
  });
  return problems;
}

/** Runs `seqchain tail --json` over the first and the last `n` seqs of a chain of `total` records and checks both. */
export async function checkTail(config: Readonly<Config>, logger: Logger, total: number, n: number, produced: Produced): Promise<TailCheck> {
  const ranges: [bigint, bigint][] = [
    [1n, BigInt(Math.min(n, total))],
    [BigInt(Math.max(1, total - n + 1)), BigInt(total)],
  ];
  const problems: string[] = [];
  const counts: number[] = [];
  for (const [from, to] of ranges) {
    const run = await runCli(['tail', '--from', from.toString(), '--to', to.toString(), '--json'], {
      SEQCHAIN_CHAIN: config.chain,
      SEQCHAIN_LOG_LEVEL: 'warn',
    });
    if (run.code !== 0) problems.push(`tail --from ${from} --to ${to} exited ${run.code}: ${run.stderr.trim()}`);
    const lines = run.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as TailJson);
    counts.push(lines.length);
    problems.push(...compare(lines, from, to, await ledgerPositions(config, logger, from, to), produced));
  }
  return { first: counts[0]!, last: counts[1]!, matched: problems.length === 0, problems: problems.slice(0, 10) };
}
