/**
 * Stop Redis (the query index) for `opts.outageMs`, then start it again, empty (the chaos stack
 * keeps no Redis persistence). While it is down: a replica's `GET /v1/head` must answer 503, and
 * sequencing must go on (the ledger's head seq moves). Recovery is measured from the moment
 * Redis answers again until that replica's indexed head reaches the ledger head seq of that
 * moment: the index caught up (here, rebuilt from the ledger).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fetchHead } from '../lib/api-probe.js';
import { stackCommand } from '../lib/stack.js';
import type { Fault } from './types.js';

export const redisStop: Fault = async (c) => {
  const members = (await c.zk.members()) ?? [];
  const member = c.pick(members.filter((m) => m.apiAddress && c.alive(m.replicaId)));
  if (!member) throw new Error('no replica API to query');
  const api = member.apiAddress;
  const seqBefore = c.watcher.state.lastSeq;
  const injectedAt = Date.now();
  await stackCommand('down', 'redis');
  // Queries: 503 while Redis is down (give ioredis its command timeout to notice).
  let status = -1;
  const deadline = Date.now() + c.opts.outageMs;
  while (Date.now() < deadline) {
    status = (await fetchHead(api)).status;
    if (status === 503) break;
    await sleep(250);
  }
  if (status !== 503) c.violations.add('redis-query', `GET ${api}/v1/head answered ${status || 'nothing'} while Redis was down, expected 503`);
  await sleep(Math.max(0, injectedAt + c.opts.outageMs - Date.now()));
  const sequencedWhileDown = c.watcher.state.lastSeq - seqBefore;
  if (sequencedWhileDown <= 0)
    c.violations.add('redis-stalled', `no record was sequenced during the ${c.opts.outageMs} ms Redis was down (sequencing must not depend on Redis)`);
  await stackCommand('up', 'redis');
  const referenceAt = Date.now();
  const target = c.watcher.state.lastSeq;
  let recoveredAt: number | null = null;
  const until = referenceAt + c.opts.recoveryTimeoutMs;
  while (Date.now() < until) {
    const head = await fetchHead(api);
    if (head.status === 200 && head.seq !== null && head.seq >= target) {
      recoveredAt = Date.now();
      break;
    }
    await sleep(100);
  }
  return {
    target: `redis (queries via ${member.replicaId})`,
    injectedAt,
    referenceAt,
    recoveredAt,
    detail: `/v1/head answered ${status} while down; ${sequencedWhileDown} records sequenced while down; index caught up to seq ${target}`,
  };
};
