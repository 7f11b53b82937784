import type { Kafka } from 'kafkajs';
import type { Config } from '../config/schema.js';
import { connectZk } from '../coordination/connect.js';
import { readCounter } from '../coordination/counter.js';
import { readEpoch } from '../coordination/epoch.js';
import { readGenesis, type GenesisRecord } from '../coordination/genesis-store.js';
import { readLeader } from '../coordination/leader.js';
import { listMembers } from '../coordination/members.js';
import { readOrderedLease } from '../coordination/ordered-lease.js';
import { readPause } from '../coordination/pause.js';
import { chainPaths, type ChainPaths } from '../coordination/paths.js';
import type { ZkSession } from '../coordination/zk-session.js';
import { createKafka } from '../kafka/client.js';
import { kafkaClientOptions } from '../config/slices.js';
import { kafkaNames } from '../kafka/names.js';
import { topicOffsets, withAdmin } from '../kafka/offsets.js';
import type { Logger } from '../log.js';
import { readLedgerHead, type ChainHead } from '../kafka/ledger-tail.js';

export interface ChainStatus {
  chain: string;
  topic: string;
  leader: { replicaId: string; epoch: string; since: number; apiAddress: string } | null;
  epoch: string;
  paused: { by: string; at: number; reason: string } | null;
  members: { replicaId: string; host: string; pid: number; apiAddress: string; partitions: number[] }[];
  head: { seq: string; hash: string; epoch: string; cutId: string; ledgerOffset: string };
  counter: { nextSeq: string; epoch: string } | null;
  /** The leader's last cut, as it publishes it in its leader znode (at most once a second). */
  lastCut: { cutId: string; records: number; latencyMs: number; at: number } | null;
  /** The leader's latest cuts of its term, newest first (leader znode `recentCuts`); [] without a leader. */
  recentCuts: { cutId: string; epoch: string; lastSeq: string; records: number; latencyMs: number; at: number }[];
  partitions: { partition: number; nextOffset: string; endOffset: string; lag: string; owner: string | null }[];
  totalLag: string;
  /**
   * The ordered topic's writer (delivery.orderedTopic), from its lease znode: who holds the role,
   * the last seq it committed (published at most every 2 s) and how far that is behind the head.
   * Null when no replica holds the lease.
   */
  ordered: { topic: string; holder: string; since: number; seq: string; at: number; lag: string } | null;
}

export interface StatusSources {
  chain: string;
  paths: ChainPaths;
  zk: ZkSession;
  kafka: Kafka;
  genesis: GenesisRecord;
  logger: Logger;
  /** The ledger head when the caller already knows it (the index, the sequencer); else it is read. */
  head?: ChainHead | null;
}

/** What an operator asks first: who leads, who works which partition, how far behind. */
export async function collectStatus({ chain, paths, zk, kafka, genesis, logger, head: known }: StatusSources): Promise<ChainStatus> {
  const [leader, epoch, members, counter, paused, ordered] = await Promise.all([
    readLeader(zk, paths),
    readEpoch(zk, paths),
    listMembers(zk, paths),
    readCounter(zk, paths),
    readPause(zk, paths),
    readOrderedLease(zk, paths),
  ]);
  const head =
    known ??
    (await readLedgerHead({
      kafka,
      ledgerTopic: kafkaNames.ledgerTopic(chain),
      groupPrefix: kafkaNames.readerGroup(chain, 'status'),
      genesis: { hash: genesis.hash, start: genesis.start },
      fromOffset: counter?.value.ledgerOffset ?? 0n,
      logger,
    }));
  const source = await withAdmin(kafka, (admin) => topicOffsets(admin, genesis.topic));
  const owners = new Map<number, string>();
  for (const m of members) for (const p of m.partitions) owners.set(p, m.replicaId);
  let totalLag = 0n;
  // Partitions the source has beyond the ledger's coverage are not sequenced yet: all lag.
  const count = Math.max(head.coverage.length, source.length);
  const partitions = Array.from({ length: count }, (_, partition) => {
    const next = head.coverage[partition]?.sourceNext ?? source[partition]?.low ?? 0n;
    const end = source[partition]?.high ?? 0n;
    const lag = end > next ? end - next : 0n;
    totalLag += lag;
    return { partition, nextOffset: next.toString(), endOffset: end.toString(), lag: lag.toString(), owner: owners.get(partition) ?? null };
  });
  const lastCut = leader?.lastCut;
  return {
    chain,
    topic: genesis.topic,
    leader: leader ? { replicaId: leader.replicaId, epoch: leader.epoch.toString(), since: leader.since, apiAddress: leader.apiAddress } : null,
    epoch: epoch.toString(),
    paused,
    members: members.map((m) => ({ replicaId: m.replicaId, host: m.host, pid: m.pid, apiAddress: m.apiAddress, partitions: m.partitions })),
    head: {
      seq: head.seq.toString(),
      hash: head.hash.toString('hex'),
      epoch: head.epoch.toString(),
      cutId: head.cutId.toString(),
      ledgerOffset: head.ledgerOffset.toString(),
    },
    counter: counter ? { nextSeq: counter.value.nextSeq.toString(), epoch: counter.value.epoch.toString() } : null,
    lastCut: lastCut ? { cutId: lastCut.cutId.toString(), records: lastCut.records, latencyMs: lastCut.latencyMs, at: lastCut.at } : null,
    recentCuts: (leader?.recentCuts ?? []).map((c) => ({
      cutId: c.cutId.toString(),
      epoch: c.epoch.toString(),
      lastSeq: c.lastSeq.toString(),
      records: c.records,
      latencyMs: c.latencyMs,
      at: c.at,
    })),
    partitions,
    totalLag: totalLag.toString(),
    ordered: ordered
      ? {
          topic: kafkaNames.orderedTopic(chain),
          holder: ordered.replicaId,
          since: ordered.since,
          seq: ordered.seq.toString(),
          at: ordered.at,
          lag: (head.seq > ordered.seq ? head.seq - ordered.seq : 0n).toString(),
        }
      : null,
  };
}

/** Status from outside the replica set (the CLI): opens its own ZooKeeper session and Kafka client. */
export async function chainStatus(config: Readonly<Config>, logger: Logger): Promise<ChainStatus> {
  const zk = await connectZk(config.zookeeper, logger);
  try {
    const paths = chainPaths(config.zookeeper.root, config.chain);
    const genesis = await readGenesis(zk, paths);
    return await collectStatus({ chain: config.chain, paths, zk, kafka: createKafka(kafkaClientOptions(config), logger, 'status'), genesis, logger });
  } finally {
    await zk.close().catch(() => undefined);
  }
}
