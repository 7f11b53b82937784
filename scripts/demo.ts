/**
 * The live demo (`npm run demo`): three replicas sequence a 6-partition topic while 100,000
 * records are produced; the leader is SIGKILLed mid-stream; once everything is sequenced,
 * `seqchain verify` recomputes the chain and `seqchain tail` reads both ends of it back. The last
 * line is one JSON object of measured figures.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { produce } from '../src/cli/commands/produce.js';
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
  const set = new ReplicaSet({ chain, logDir: join(REPO, '.stack', 'demo', chain), logger });
  try {
    say(`chain ${chain}: creating ${topic} with ${PARTITIONS} partitions and the genesis`);
    const genesis = await initChain(set.config, logger, { topic, partitions: PARTITIONS, start: 'earliest', force: false });
    say(`genesis ${genesis.hash.toString('hex')}`);

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

    // Kill the leader once about 40% of the records are sequenced.
    await waitFor('40% sequenced', async () => (await set.sequenced()) >= RECORDS * 0.4, 120_000, 20);
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

    say('running seqchain verify');
    await set.stopAll('SIGTERM');
    const verify = await runCli(['verify', '--json'], { SEQCHAIN_CHAIN: chain, SEQCHAIN_LOG_LEVEL: 'warn' });
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
      chain,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.verified || result.sequenced !== result.records || result.apiHeadHash !== result.headHash || !tail.matched) process.exitCode = 1;
  } finally {
    await set.close();
    await sleep(10);
  }
}

main().catch((err) => {
  process.stderr.write(`demo: failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
