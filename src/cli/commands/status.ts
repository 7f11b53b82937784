import type { Command } from 'commander';
import { chainStatus } from '../../ops/chain-status.js';
import { addSharedOptions, contextFrom } from '../options.js';

export function registerStatus(program: Command): void {
  addSharedOptions(program.command('status').description('leader, epoch, members, head, per-partition next offset and lag').option('--json', 'print as JSON', false)).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const s = await chainStatus(config, logger);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(s)}\n`);
      return;
    }
    const rows = [
      `chain    ${s.chain} over ${s.topic}`,
      `leader   ${s.leader ? `${s.leader.replicaId} (epoch ${s.leader.epoch})` : 'none'}   epoch znode ${s.epoch}`,
      `head     seq ${s.head.seq}  hash ${s.head.hash}  cut ${s.head.cutId} (epoch ${s.head.epoch})`,
      `members  ${s.members.map((m) => `${m.replicaId}[${m.partitions.join(',')}]`).join('  ') || 'none'}`,
      '',
      'partition  next-offset  end-offset  lag  owner',
      ...s.partitions.map((p) => `${String(p.partition).padStart(9)}  ${p.nextOffset.padStart(11)}  ${p.endOffset.padStart(10)}  ${p.lag.padStart(3)}  ${p.owner ?? '-'}`),
      `total lag ${s.totalLag}`,
    ];
    process.stdout.write(`${rows.join('\n')}\n`);
  });
}
