import type { ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { encodeJson, ZnodeJsonReader } from './znode-json.js';

/**
 * The leader znode (ephemeral), JSON v1, written by the elected replica after it bumped the
 * epoch; for status and clients only — the election and the epoch decide, not this node:
 *
 *   {"v":1,"replicaId":"r1","epoch":"4","apiAddress":"http://10.0.0.1:8080","since":1700000000000,
 *    "lastCut":{"cutId":"812","records":37,"latencyMs":4,"at":1700000001234},
 *    "recentCuts":[{"cutId":"812","epoch":"4","lastSeq":"90210","records":37,"latencyMs":4,"at":1700000001234},…]}
 *
 * `lastCut` and `recentCuts` (both optional; the latter newest first, at most RECENT_CUTS of this
 * term) are refreshed at most once a second, so that every replica's status can show the
 * leader's cuts without replicas talking to each other. Readers ignore fields they do not know.
 */
export const LEADER_FORMAT = 'leader znode v1';

export interface LeaderInfo {
  replicaId: string;
  epoch: bigint;
  /** Where the leader's HTTP API answers ('' when it has none). */
  apiAddress: string;
  /** When it became leader, ms since the Unix epoch. */
  since: number;
  lastCut?: LastCutStats;
  /** The term's latest cuts, newest first (at most RECENT_CUTS). */
  recentCuts?: RecentCut[];
}

export interface LastCutStats {
  cutId: bigint;
  records: number;
  /** From closing the cut to its counter update, ms. */
  latencyMs: number;
  /** ms since the Unix epoch. */
  at: number;
}

/** Cuts the leader znode lists in `recentCuts`. */
export const RECENT_CUTS = 20;

/** One cut of the term, as `recentCuts` lists it. */
export interface RecentCut extends LastCutStats {
  epoch: bigint;
  lastSeq: bigint;
}

export function encodeLeader(info: LeaderInfo): Buffer {
  if (info.replicaId.length === 0) throw new TypeError('leader replicaId must not be empty');
  if (info.epoch < 0n) throw new TypeError(`leader epoch ${info.epoch} below 0`);
  const lastCut = info.lastCut
    ? { cutId: info.lastCut.cutId.toString(10), records: info.lastCut.records, latencyMs: info.lastCut.latencyMs, at: info.lastCut.at }
    : undefined;
  return encodeJson({
    v: 1,
    replicaId: info.replicaId,
    epoch: info.epoch.toString(10),
    apiAddress: info.apiAddress,
    since: info.since,
    ...(lastCut ? { lastCut } : {}),
    ...(info.recentCuts
      ? {
          recentCuts: info.recentCuts.slice(0, RECENT_CUTS).map((c) => ({
            cutId: c.cutId.toString(10),
            epoch: c.epoch.toString(10),
            lastSeq: c.lastSeq.toString(10),
            records: c.records,
            latencyMs: c.latencyMs,
            at: c.at,
          })),
        }
      : {}),
  });
}

export function decodeLeader(data: Buffer, path?: string): LeaderInfo {
  const r = ZnodeJsonReader.parse(LEADER_FORMAT, data, path);
  r.version(1);
  const info: LeaderInfo = {
    replicaId: r.string('replicaId', { nonEmpty: true }),
    epoch: r.decimal('epoch', 0n),
    apiAddress: r.string('apiAddress'),
    since: r.int('since', 0),
  };
  if (r.has('lastCut')) {
    const raw = r.object('lastCut');
    info.lastCut = { cutId: raw.decimal('cutId', 0n), records: raw.int('records', 0), latencyMs: raw.int('latencyMs', 0), at: raw.int('at', 0) };
  }
  if (r.has('recentCuts')) {
    info.recentCuts = r.objects('recentCuts').map((c) => ({
      cutId: c.decimal('cutId', 0n),
      epoch: c.decimal('epoch', 0n),
      lastSeq: c.decimal('lastSeq', 0n),
      records: c.int('records', 0),
      latencyMs: c.int('latencyMs', 0),
      at: c.int('at', 0),
    }));
  }
  return info;
}

/**
 * Publishes this session as leader: creates the ephemeral leader znode, or replaces one left by
 * another session (a previous leader whose session has not ended yet) in one transaction.
 */
export async function publishLeader(session: ZkSession, paths: ChainPaths, info: LeaderInfo): Promise<void> {
  const data = encodeLeader(info);
  for (let attempt = 1; ; attempt++) {
    const stat = await session.exists(paths.leader);
    try {
      if (stat === null) {
        await session.mkdirp(paths.base);
        await session.create(paths.leader, data, 'ephemeral');
      } else if (session.ownsEphemeral(stat)) {
        await session.setData(paths.leader, data, stat.version);
      } else {
        await session.transaction().remove(paths.leader, stat.version).create(paths.leader, data, 'ephemeral').commit();
      }
      return;
    } catch (err) {
      const raced = isZkError(err, 'NODE_EXISTS') || isZkError(err, 'BAD_VERSION') || isZkError(err, 'NO_NODE');
      if (!raced || attempt >= 5) throw err;
    }
  }
}

/** Removes the leader znode if this session owns it (resign, close). True when it did. */
export async function clearLeader(session: ZkSession, paths: ChainPaths): Promise<boolean> {
  const stat = await session.exists(paths.leader);
  if (stat === null || !session.ownsEphemeral(stat)) return false;
  try {
    return await session.remove(paths.leader, stat.version);
  } catch (err) {
    if (isZkError(err, 'BAD_VERSION')) return false;
    throw err;
  }
}

export async function readLeader(session: ZkSession, paths: ChainPaths): Promise<LeaderInfo | null> {
  const got = await session.getData(paths.leader);
  return got === null ? null : decodeLeader(got.data, paths.leader);
}
