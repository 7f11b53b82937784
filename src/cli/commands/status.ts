import type { Command } from 'commander';
import { chainStatus } from '../../ops/chain-status.js';
import { addSharedOptions, contextFrom } from '../options.js';

export function registerStatus(program: Command): void {
  addSharedOptions(
    program
      .command('status')
      .description('leader, epoch, pause, members, head, last cut latency, ordered-topic writer, per-partition next offset, lag and owner')
      .option('--json', 'print as JSON', false),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const s = await chainStatus(config, logger);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    const rows = [
      `chain    ${s.chain} over ${s.topic}`,
      `leader   ${s.leader ? `${s.leader.replicaId} (epoch ${s.leader.epoch}) ${s.leader.apiAddress}` : 'none'}   epoch znode ${s.epoch}`,
      `state    ${s.paused ? `PAUSED by ${s.paused.by} at ${new Date(s.paused.at).toISOString()}${s.paused.reason ? ` (${s.paused.reason})` : ''}` : 'sequencing'}`,
      `head     seq ${s.head.seq}  hash ${s.head.hash}  cut ${s.head.cutId} (epoch ${s.head.epoch})`,
      `last cut ${s.lastCut ? `#${s.lastCut.cutId}, ${s.lastCut.records} records, ${s.lastCut.latencyMs} ms, ${((Date.now() - s.lastCut.at) / 1000).toFixed(1)} s ago` : '-'}`,
      `ordered  ${s.ordered ? `${s.ordered.topic} written by ${s.ordered.holder}, at seq ${s.ordered.seq} (${s.ordered.lag} behind the head)` : 'no writer'}`,
      `members  ${s.members.map((m) => `${m.replicaId}[${m.partitions.join(',')}]`).join('  ') || 'none'}`,
      '',
      'partition  next-offset  end-offset  lag  owner',
      ...s.partitions.map(
        (p) => `${String(p.partition).padStart(9)}  ${p.nextOffset.padStart(11)}  ${p.endOffset.padStart(10)}  ${p.lag.padStart(3)}  ${p.owner ?? '-'}`,
      ),
      `total lag ${s.totalLag}`,
    ];
    process.stdout.write(`${rows.join('\n')}\n`);
  });
}
