import type { Config } from '../config/schema.js';
import { connectZk } from '../app.js';
import { readCounter } from '../coordination/counter.js';
import { readEpoch } from '../coordination/epoch.js';
import { readGenesis } from '../coordination/genesis-store.js';
import { readLeader } from '../coordination/leader.js';
import { listMembers } from '../coordination/members.js';
import { chainPaths } from '../coordination/paths.js';
import { createKafka } from '../kafka/client.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import type { Logger } from '../log.js';
import { readLedgerHead } from '../sequencer/ledger-tail.js';

export interface ChainStatus {
  chain: string;
  topic: string;
  leader: { replicaId: string; epoch: string; since: number } | null;
  epoch: string;
  members: { replicaId: string; host: string; pid: number; partitions: number[] }[];
  head: { seq: string; hash: string; epoch: string; cutId: string; ledgerOffset: string };
  counter: { nextSeq: string; epoch: string } | null;
  partitions: { partition: number; nextOffset: string; endOffset: string; lag: string; owner: string | null }[];
  totalLag: string;
}

/** What an operator asks first: who leads, who works which partition, how far behind. */
export async function chainStatus(config: Readonly<Config>, logger: Logger): Promise<ChainStatus> {
  const paths = chainPaths(config.zookeeper.root, config.chain);
  const zk = await connectZk(config, logger);
  let genesis, leader, epoch, members, counter;
  try {
    genesis = await readGenesis(zk, paths);
    [leader, epoch, members, counter] = await Promise.all([readLeader(zk, paths), readEpoch(zk, paths), listMembers(zk, paths), readCounter(zk, paths)]);
  } finally {
    await zk.close().catch(() => undefined);
  }
  const kafka = createKafka(config, logger, 'status');
  const head = await readLedgerHead({
    kafka,
    ledgerTopic: kafkaNames.ledgerTopic(config.chain),
    groupPrefix: `seqchain.${config.chain}.status`,
    genesis: { hash: genesis.hash, start: genesis.start },
    fromOffset: counter?.value.ledgerOffset ?? 0n,
    logger,
  });
  const source = await withAdmin(kafka, (admin) => topicOffsets(admin, genesis.topic));
  const owners = new Map<number, string>();
  for (const m of members) for (const p of m.partitions) owners.set(p, m.replicaId);
  let totalLag = 0n;
  const partitions = head.coverage.map((slot, partition) => {
    const end = source[partition]?.high ?? 0n;
    const lag = end > slot.sourceNext ? end - slot.sourceNext : 0n;
    totalLag += lag;
    return { partition, nextOffset: slot.sourceNext.toString(), endOffset: end.toString(), lag: lag.toString(), owner: owners.get(partition) ?? null };
  });
  return {
    chain: config.chain,
    topic: genesis.topic,
    leader: leader ? { replicaId: leader.replicaId, epoch: leader.epoch.toString(), since: leader.since } : null,
    epoch: epoch.toString(),
    members: members.map((m) => ({ replicaId: m.replicaId, host: m.host, pid: m.pid, partitions: m.partitions })),
    head: { seq: head.seq.toString(), hash: head.hash.toString('hex'), epoch: head.epoch.toString(), cutId: head.cutId.toString(), ledgerOffset: head.ledgerOffset.toString() },
    counter: counter ? { nextSeq: counter.value.nextSeq.toString(), epoch: counter.value.epoch.toString() } : null,
    partitions,
    totalLag: totalLag.toString(),
  };
}
