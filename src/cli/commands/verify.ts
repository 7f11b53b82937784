import type { Command } from 'commander';
import { withZkSession } from '../../coordination/connect.js';
import { readEpoch } from '../../coordination/epoch.js';
import { readGenesis, type GenesisRecord } from '../../coordination/genesis-store.js';
import { chainPaths } from '../../coordination/paths.js';
import { createKafka } from '../../kafka/client.js';
import { kafkaClientOptions } from '../../config/slices.js';
import { parseHead, type KeptHead } from '../../verify/kept-head.js';
import { verifyChain } from '../../verify/verify-chain.js';
import { readHeadFile, writeHeadFile } from '../head-file.js';
import { addSharedOptions, contextFrom } from '../options.js';
import { Progress } from '../progress.js';

export function registerVerify(program: Command): void {
  addSharedOptions(
    program
      .command('verify')
      .description('recompute the chain from the genesis and every digest from the source topic; exit 0 only if all holds')
      .option('--json', 'print the report as JSON', false)
      .option(
        '--source-topic <name>',
        "read the source records from this topic (a copy with the same partitions and offsets: mirror, backup, restore) instead of the chain's",
      )
      .option('--expect-head <seq:hash>', 'a head seen earlier (verify --json, GET /v1/head): fail if the chain no longer reaches that seq with that hash')
      .option(
        '--head-file <path>',
        'keep the last head seen in this file: check it like --expect-head (if the file exists), and write the new head on success',
      ),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const paths = chainPaths(config.zookeeper.root, config.chain);
    // Read without the znode's own hash check: verify names a changed genesis as a 'genesis' break.
    const genesis: GenesisRecord = await withZkSession(config.zookeeper, logger, (zk) => readGenesis(zk, paths, { checkHash: false }));
    const headFile = opts.headFile as string | undefined;
    let keptHead: KeptHead | undefined = opts.expectHead === undefined ? undefined : parseHead(String(opts.expectHead), '--expect-head');
    if (headFile !== undefined) {
      const fromFile = await readHeadFile(headFile);
      if (keptHead !== undefined && fromFile !== null && fromFile.seq > keptHead.seq) keptHead = fromFile;
      keptHead ??= fromFile ?? undefined;
    }
    const kafka = createKafka(kafkaClientOptions(config), logger, 'verify');
    const progress = { ledger: new Progress('verify ledger', null), source: new Progress('verify source', null) };
    const report = await verifyChain({
      kafka,
      chain: config.chain,
      genesis,
      logger,
      onProgress: (phase, done) => progress[phase].update(done),
      ...(opts.sourceTopic ? { sourceTopic: String(opts.sourceTopic) } : {}),
      ...(keptHead ? { keptHead } : {}),
      issuedEpoch: () => withZkSession(config.zookeeper, logger, (zk) => readEpoch(zk, paths)),
    });
    // Only a chain that verified becomes the new kept head; a broken one leaves the old head.
    if (report.ok && headFile !== undefined) await writeHeadFile(headFile, { seq: BigInt(report.lastSeq), hash: Buffer.from(report.headHash, 'hex') });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const lines = [
        `chain ${report.chain}: ${report.ok ? 'VERIFIED' : 'BROKEN'}`,
        `  genesis      ${report.genesisHash}`,
        `  records      ${report.records} in ${report.cuts} cuts, seq ${report.firstSeq ?? '-'}..${report.lastSeq}, epochs ${report.epochs.join(',') || '-'}`,
        `  head         ${report.lastSeq}:${report.headHash}`,
        ...(report.keptHead ? [`  kept head    ${report.keptHead}`] : []),
        `  source       ${report.sourceRecordsMatched} records of ${report.sourceTopic} recomputed and matched`,
        ...report.unverifiable.map(
          (u) => `  unverifiable partition ${u.partition} [${u.from}, ${u.to}): ${u.reason} (${u.records} sequenced records not checked)`,
        ),
        // Lag on a running chain, not a break: records the ledger does not cover yet.
        ...report.unsequenced.map(
          (u) => `  unsequenced  partition ${u.partition} [${u.from}, ${u.to})${u.covered ? '' : ' (a partition the ledger does not cover yet)'}`,
        ),
        ...(report.firstBreak ? [`  first break  ${report.firstBreak.kind}: ${report.firstBreak.message}`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    process.exit(report.ok ? 0 : 1);
  });
}
