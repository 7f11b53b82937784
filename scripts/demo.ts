/**
 * The live demo (`npm run demo`): three replicas sequence a 6-partition topic while 100,000
 * records are produced, with the log view on (a signed checkpoint with every cut); the leader is
 * SIGKILLed mid-stream; an auditor keeps a checkpoint before the kill and checks the final one
 * extends it; one record is proved (`seqchain prove`) and checked offline (`check-proof`); once
 * everything is sequenced, `seqchain verify` recomputes the chain and every checkpoint under the
 * pinned key, and `seqchain tail` reads both ends of it back. The last line is one JSON object of
 * measured figures.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { produce } from '../src/cli/commands/produce.js';
import { loadConfig } from '../src/config/load.js';
import { Progress } from '../src/cli/progress.js';
import { createLogger } from '../src/log.js';
import { initChain } from '../src/ops/init-chain.js';
import type { VerifyReport } from '../src/verify/verify-chain.js';
import { REPO, ReplicaSet, runCli, waitFor } from './lib/replica-set.js';
import { checkTail } from './lib/tail-check.js';

const RECORDS = Number(process.env.DEMO_RECORDS ?? 100_000);
const PARTITIONS = 6;
const REPLICAS = 3;
const RATE = Number(process.env.DEMO_RATE ?? 20_000);
/** Records read back with `seqchain tail` at each end of the chain. */
const TAILED = 1_000;
const RECORD_SHAPE = { size: 200, keys: 1000, headers: 2 };

const say = (msg: string) => process.stderr.write(`demo: ${msg}\n`);

async function main(): Promise<void> {
  const chain = `demo-${Date.now().toString(36)}`;
  const topic = `${chain}.source`;
  const logger = createLogger({ level: 'warn', name: 'demo' });
  // The log view's signing key: made by `seqchain log-keygen` (mode 0600), its verifier key pinned below.
  const work = mkdtempSync(join(tmpdir(), `seqchain-${chain}-`));
  const origin = `demo.seqchain.example/${chain}`;
  const keyFile = join(work, 'log.key');
  const keygen = await runCli(['log-keygen', '--origin', origin, '--out', keyFile]);
  if (keygen.code !== 0) throw new Error(`log-keygen failed: ${keygen.stderr}`);
  const verifierKey = keygen.stdout.trim();
  const env = { SEQCHAIN_LOG_VIEW_ENABLED: 'true', SEQCHAIN_LOG_VIEW_ORIGIN: origin, SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE: keyFile };
  const set = new ReplicaSet({ chain, logDir: join(REPO, '.stack', 'demo', chain), env, logger });
  const cli = (args: string[]) => runCli(args, { SEQCHAIN_CHAIN: chain, SEQCHAIN_LOG_LEVEL: 'warn' });
  try {
    say(`chain ${chain}: creating ${topic} with ${PARTITIONS} partitions and the genesis (log view on, origin ${origin})`);
    const config = loadConfig({ env: { ...process.env, ...env }, overrides: { chain } });
    const genesis = await initChain(config, logger, { topic, partitions: PARTITIONS, start: 'earliest', force: false });
    say(`genesis ${genesis.hash.toString('hex')}; log verifier key ${verifierKey}`);

    for (let i = 1; i <= REPLICAS; i++) set.start(`${chain}-r${i}`);
    say(`started ${REPLICAS} replicas (logs in .stack/demo/${chain}/)`);
    const first = await waitFor('a leader', async () => (await set.leader()) ?? undefined, 60_000);
    await waitFor(
      'all workers assigned',
      async () => {
        const members = await set.members();
        return members.length === REPLICAS && members.every((m) => m.partitions.length > 0);
      },
      60_000,
    );
    say(`leader ${first.replicaId} (epoch ${first.epoch}); producing ${RECORDS} records at ${RATE}/s`);

    const producing = produce(set.config, logger, {
      topic,
      count: RECORDS,
      rate: RATE,
      ...RECORD_SHAPE,
      transactional: false,
      batchSize: 500,
      quiet: false,
    });
    const startedAt = Date.now();

    // Kill the leader once about 40% of the records are sequenced; an auditor keeps the checkpoint it sees just before.
    await waitFor('40% sequenced', async () => (await set.sequenced()) >= RECORDS * 0.4, 120_000, 20);
    const stateFile = join(work, 'audit.checkpoint');
    const firstAudit = await audit(cli, stateFile, verifierKey, await set.apiUrl((await set.leader())!.replicaId));
    say(`audit: ${firstAudit.line}`);
    const victim = (await set.leader())!;
    const killedAt = Date.now();
    await set.kill(victim.replicaId, 'SIGKILL');
    say(`SIGKILLed leader ${victim.replicaId} (epoch ${victim.epoch}) at seq ${await set.sequenced()}`);

    // Failover: from the kill to the first cut committed under a higher epoch.
    let reconciledAt: bigint | null = null;
    const failoverMs = await waitFor(
      'the first cut of a new epoch',
      async () => {
        const c = await set.counter();
        if (!c || c.epoch <= victim.epoch) return undefined;
        reconciledAt ??= c.nextSeq;
        return c.nextSeq > reconciledAt ? Date.now() - killedAt : undefined;
      },
      120_000,
      5,
    );
    const next = (await set.leader())!;
    say(`new leader ${next.replicaId} (epoch ${next.epoch}) sequencing ${failoverMs} ms after the kill`);

    const produced = await producing;
    const progress = new Progress('demo: sequenced', RECORDS, await set.sequenced());
    const doneAt = await waitFor(
      'every record sequenced',
      async () => {
        const n = await set.sequenced();
        progress.update(n);
        return n >= produced.records ? Date.now() : undefined;
      },
      300_000,
      50,
    );
    progress.finish(await set.sequenced());
    const sequencedPerSec = Math.round((produced.records * 1000) / (doneAt - startedAt));

    // Every replica serves the query API from its Redis index; ask the new leader's.
    const api = await set.apiUrl(next.replicaId);
    const head = await waitFor(
      'the index caught up',
      async () => {
        const res = await fetch(`${api}/v1/head`).catch(() => null);
        const body = res?.ok ? ((await res.json()) as { seq: string; hash: string }) : null;
        return body && Number(body.seq) >= produced.records ? body : undefined;
      },
      60_000,
      100,
    );
    const sample = (await (await fetch(`${api}/v1/records/${Math.ceil(produced.records / 2)}`)).json()) as {
      seq: string;
      position: { partition: number; offset: string };
    };
    say(
      `API ${api}: head seq ${head.seq} hash ${head.hash.slice(0, 16)}…; seq ${sample.seq} is partition ${sample.position.partition} offset ${sample.position.offset}`,
    );

    say(`console: ${api}/ui/ (the web console of that replica; open it while the demo runs)`);

    // The log view: the latest signed checkpoint, the auditor's second look, one record proved and checked offline.
    const checkpoint = await waitFor(
      'the checkpoint of the whole chain',
      async () => {
        const res = await fetch(`${api}/checkpoint`).catch(() => null);
        const note = res?.ok ? await res.text() : '';
        return Number(note.split('\n')[1]) >= produced.records ? note : undefined;
      },
      60_000,
      100,
    );
    const checkpointSize = Number(checkpoint.split('\n')[1]);
    say(`checkpoint: ${origin} size ${checkpointSize}, root ${checkpoint.split('\n')[2]}`);
    const secondAudit = await audit(cli, stateFile, verifierKey, api);
    say(`audit: ${secondAudit.line}`);
    const proved = await proveOne(cli, work, verifierKey, api, Math.ceil(produced.records / 3));
    say(`check-proof: ${proved.line}`);

    say('running seqchain verify');
    await set.stopAll('SIGTERM');
    const verify = await cli(['verify', '--json', '--key', verifierKey]);
    const report = JSON.parse(verify.stdout.trim().split('\n').pop() ?? '{}') as VerifyReport;
    say(
      `verify exit ${verify.code}: ${report.ok ? 'chain verified' : `BROKEN: ${report.firstBreak?.message}`}; ${report.sourceRecordsMatched} source records recomputed`,
    );
    say(
      `sequenced ${produced.records} records in ${doneAt - startedAt} ms (${sequencedPerSec} records/s, offered ${RATE}/s), epochs ${report.epochs.join(',')}`,
    );

    say(`reading the first and the last ${TAILED} records back with seqchain tail --json`);
    const tail = await checkTail(set.config, logger, produced.records, TAILED, { partitions: PARTITIONS, opts: RECORD_SHAPE, payload: produced.payload });
    say(`tail: ${tail.first} + ${tail.last} records ${tail.matched ? 'in ledger order, each as produced' : `DIFFER: ${tail.problems.join('; ')}`}`);

    const result = {
      records: produced.records,
      sequenced: report.records,
      firstSeq: report.firstSeq,
      lastSeq: report.lastSeq,
      gaps: report.gaps,
      duplicates: report.duplicates,
      verified: verify.code === 0 && report.ok && report.sourceRecordsMatched === produced.records,
      headHash: report.headHash,
      apiHeadHash: head.hash,
      failoverMs,
      sequencedPerSec,
      epochs: report.epochs,
      tail: { first: tail.first, last: tail.last, matched: tail.matched },
      logView: {
        checkpointSize,
        checkpointsVerified: report.logView?.signaturesChecked ? report.logView.checkpoints : 0,
        audit: { first: firstAudit.verdict, last: secondAudit.verdict, passed: firstAudit.ok && secondAudit.ok },
        checkProof: { seq: proved.seq, passed: proved.ok },
      },
      chain,
      consoleUrl: `${api}/ui/`,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const logViewOk = result.logView.audit.passed && result.logView.checkProof.passed && checkpointSize === produced.records;
    if (!result.verified || result.sequenced !== result.records || result.apiHeadHash !== result.headHash || !tail.matched || !logViewOk) process.exitCode = 1;
  } finally {
    await set.close();
    await sleep(10);
  }
}

type Cli = (args: string[]) => ReturnType<typeof runCli>;

/** `seqchain audit --json` against one replica: its verdict and the line it printed. */
async function audit(cli: Cli, stateFile: string, key: string, api: string): Promise<{ ok: boolean; verdict: string; line: string }> {
  const run = await cli(['audit', '--state-file', stateFile, '--key', key, '--api', api, '--json']);
  const out = JSON.parse(run.stdout.trim() || '{}') as { ok?: boolean; verdict?: string; keptSize?: string | null; latestSize?: string; message?: string };
  const ok = run.code === 0 && out.ok === true;
  const line = ok ? `${out.verdict} (size ${out.keptSize ?? 'none'} → ${out.latestSize})` : `FAILED (exit ${run.code}): ${out.message ?? run.stderr.trim()}`;
  return { ok, verdict: out.verdict ?? 'error', line };
}

/** `tail --json` one record, `prove` it, and `check-proof` the two files with no network. */
async function proveOne(cli: Cli, dir: string, key: string, api: string, seq: number): Promise<{ ok: boolean; seq: number; line: string }> {
  const tail = await cli(['tail', '--from', String(seq), '--to', String(seq), '--json']);
  const recordFile = join(dir, `record-${seq}.json`);
  writeFileSync(recordFile, tail.stdout);
  const proofFile = join(dir, `record-${seq}.tlog-proof`);
  const prove = await cli(['prove', String(seq), '--api', api, '--out', proofFile]);
  if (tail.code !== 0 || prove.code !== 0)
    return { ok: false, seq, line: `FAILED: tail exit ${tail.code}, prove exit ${prove.code}: ${tail.stderr}${prove.stderr}` };
  const check = await cli(['check-proof', proofFile, '--key', key, '--record', recordFile]);
  return { ok: check.code === 0, seq, line: (check.code === 0 ? check.stdout : `FAILED (exit ${check.code}): ${check.stderr}`).trim() };
}

main().catch((err) => {
  process.stderr.write(`demo: failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
