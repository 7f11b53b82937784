import type { Command } from 'commander';
import { readChainGenesis } from '../../app.js';
import { createKafka } from '../../kafka/client.js';
import { verifyChain } from '../../verify/verify-chain.js';
import { addSharedOptions, contextFrom } from '../options.js';
import { Progress } from '../progress.js';

export function registerVerify(program: Command): void {
  addSharedOptions(
    program
      .command('verify')
      .description('recompute the chain from the genesis and every digest from the source topic; exit 0 only if all holds')
      .option('--json', 'print the report as JSON', false),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const genesis = await readChainGenesis(config, logger);
    const kafka = createKafka(config, logger, 'verify');
    const progress = { ledger: new Progress('verify ledger', null), source: new Progress('verify source', null) };
    const report = await verifyChain({ kafka, chain: config.chain, genesis, logger, onProgress: (phase, done) => progress[phase].update(done) });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const lines = [
        `chain ${report.chain}: ${report.ok ? 'VERIFIED' : 'BROKEN'}`,
        `  genesis      ${report.genesisHash}`,
        `  records      ${report.records} in ${report.cuts} cuts, seq ${report.firstSeq ?? '-'}..${report.lastSeq}, epochs ${report.epochs.join(',') || '-'}`,
        `  head         ${report.headHash}`,
        `  source       ${report.sourceRecordsMatched} records recomputed and matched`,
        ...report.unverifiable.map((u) => `  unverifiable partition ${u.partition} [${u.from}, ${u.to}): ${u.reason}`),
        // Lag on a running chain, not a break: records the ledger does not cover yet.
        ...report.unsequenced.map((u) => `  unsequenced  partition ${u.partition} [${u.from}, ${u.to})${u.covered ? '' : ' (a partition the ledger does not cover yet)'}`),
        ...(report.firstBreak ? [`  first break  ${report.firstBreak.kind}: ${report.firstBreak.message}`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    process.exit(report.ok ? 0 : 1);
  });
}
