/**
 * Prints where a CPU profile spent its time: `node dist/bench/profile-top.js <file.cpuprofile>
 * [--top 25]`. Make the profiles with `npm run bench -- --cpu-prof <dir>` (the replicas of the
 * seqchain phase run with `node --cpu-prof`).
 */
import { readFileSync } from 'node:fs';
import { REPO } from '../scripts/lib/replica-set.js';
import { byOwner, selfTimes, type CpuProfile } from './lib/cpuprofile.js';
import { fmtPct, formatTable } from './lib/table.js';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 25;
const files = args.filter((a, i) => a !== '--top' && i !== topAt + 1);
if (files.length === 0) {
  process.stderr.write('usage: node dist/bench/profile-top.js <file.cpuprofile>... [--top N]\n');
  process.exit(2);
}
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { busyMs, totalMs, rows } = selfTimes(profile, REPO);
  process.stdout.write(`${file}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busyMs / 1000).toFixed(1)} s busy (${fmtPct(busyMs / totalMs)})\n\n`);
  process.stdout.write(
    `${formatTable(
      ['self time by owner', 'ms', 'share of busy'],
      byOwner(rows)
        .slice(0, 12)
        .map((o) => [o.owner, o.selfMs.toFixed(0), fmtPct(o.share)]),
    )}\n\n`,
  );
  process.stdout.write(
    `${formatTable(
      ['function (self time)', 'ms', 'share of busy'],
      rows
        .filter((r) => r.fn !== '(idle)')
        .slice(0, top)
        .map((r) => [r.fn, r.selfMs.toFixed(0), fmtPct(r.share)]),
    )}\n\n`,
  );
}
