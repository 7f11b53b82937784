import type { Command } from 'commander';
import { withZkSession } from '../../coordination/connect.js';
import { readEpoch } from '../../coordination/epoch.js';
import { readGenesis, type GenesisRecord } from '../../coordination/genesis-store.js';
import { chainPaths } from '../../coordination/paths.js';
import { createKafka } from '../../kafka/client.js';
import { configuredVerifierKeys } from '../../config/log-key.js';
import { kafkaClientOptions } from '../../config/slices.js';
import { SeqchainError } from '../../errors.js';
import { type NoteVerifier, parseVerifierKey } from '../../tlog/note-key.js';
import { parseHead, type KeptHead } from '../../verify/kept-head.js';
import { type LogViewReport, verifyChain } from '../../verify/verify-chain.js';
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
      .option('--head-file <path>', 'keep the last head seen in this file: check it like --expect-head (if the file exists), and write the new head on success')
      .option(
        '--key <verifier key>',
        "the log's verifier key <origin>+<id>+<base64> (docs/LOG.md), repeatable (every key of a rotation): every checkpoint must be signed by one; without, logView.verifierKey (or the signing key files' public halves), else the key in the genesis record, is used and the report says so",
        (value: string, previous: string[] = []) => [...previous, value],
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
    const pinned = logKeysFor(opts.key as string[] | undefined, config.logView, genesis);
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
      logKeys: pinned ? pinned.keys : null,
    });
    // Only a chain that verified becomes the new kept head; a broken one leaves the old head.
    if (report.ok && headFile !== undefined) await writeHeadFile(headFile, { seq: BigInt(report.lastSeq), hash: Buffer.from(report.headHash, 'hex') });
    if (opts.json) {
      const json = report.logView ? { ...report, logView: { ...report.logView, keySource: pinned?.source ?? null } } : report;
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      const lines = [
        `chain ${report.chain}: ${report.ok ? 'VERIFIED' : 'BROKEN'}`,
        `  genesis      ${report.genesisHash}`,
        `  records      ${report.records} in ${report.cuts} cuts, seq ${report.firstSeq ?? '-'}..${report.lastSeq}, epochs ${report.epochs.join(',') || '-'}`,
        `  head         ${report.lastSeq}:${report.headHash}`,
        ...(report.keptHead ? [`  kept head    ${report.keptHead}`] : []),
        ...(report.logView ? [`  log view     ${logViewLine(report.logView, pinned?.source ?? null)}`] : []),
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

/**
 * `--key` when given, else the configured keys, else the genesis record's (the report says which it
 * fell back to: only a key pinned out of band proves who signed), else none.
 */
function logKeysFor(
  flags: readonly string[] | undefined,
  settings: Parameters<typeof configuredVerifierKeys>[0],
  genesis: GenesisRecord,
): { keys: NoteVerifier[]; source: string } | null {
  if (flags !== undefined && flags.length > 0) {
    const keys = flags.map((flag) => {
      try {
        return parseVerifierKey(flag);
      } catch (err) {
        throw new SeqchainError('SEQCHAIN_ERR_USAGE', `--key ${JSON.stringify(flag)}: ${(err as Error).message}`, { details: { option: '--key' } });
      }
    });
    return { keys, source: '--key' };
  }
  const configured = configuredVerifierKeys(settings);
  if (configured !== null) return configured;
  if (genesis.logVerifierKey !== undefined)
    return { keys: [parseVerifierKey(genesis.logVerifierKey)], source: 'the genesis record (not hashed: pin it with --key)' };
  return null;
}

function logViewLine(v: LogViewReport, source: string | null): string {
  const tree =
    v.checkpoints === 0
      ? 'no cut carries a checkpoint (the log view is off for this chain)'
      : `${v.checkpoints} checkpoints checked against the tree recomputed from the ledger (size ${v.treeSize})`;
  if (!v.signaturesChecked) return `${tree}; signatures NOT checked (no key: pass --key <verifier key>)`;
  const from = source === '--key' ? 'pinned with --key' : `no --key: fell back to ${source}`;
  return `${tree}; signatures checked under ${v.verifierKey} (${from})`;
}
