import type { ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { encodeJson, ZnodeJsonReader } from './znode-json.js';

/**
 * The ordered-writer lease: an ephemeral znode, JSON v1, held by the one replica that writes
 * `<chain>.ordered` (delivery.orderedTopic):
 *
 *   {"v":1,"replicaId":"r1","since":1700000000000,"seq":"812","at":1700000001234}
 *
 * `seq` is the last seq the holder committed to the ordered topic (refreshed at most once a
 * second), for status and the lag gauge. The lease only picks who should write: a holder whose
 * session ended without it noticing is fenced at the broker by the next holder's
 * initTransactions (one transactional.id for every holder), so it cannot write a record twice.
 * Its session ending (a dead replica) frees the lease within `zookeeper.sessionTimeoutMs`.
 */
export const ORDERED_LEASE_FORMAT = 'ordered-writer znode v1';

export interface OrderedLeaseInfo {
  replicaId: string;
  /** When this holder took the lease, ms since the Unix epoch. */
  since: number;
  /** Last seq committed to the ordered topic (0: none yet). */
  seq: bigint;
  /** When `seq` was written, ms since the Unix epoch. */
  at: number;
}

export function encodeOrderedLease(info: OrderedLeaseInfo): Buffer {
  if (info.replicaId.length === 0) throw new TypeError('ordered-writer replicaId must not be empty');
  if (info.seq < 0n) throw new TypeError(`ordered-writer seq ${info.seq} below 0`);
  return encodeJson({ v: 1, replicaId: info.replicaId, since: info.since, seq: info.seq.toString(10), at: info.at });
}

export function decodeOrderedLease(data: Buffer, path?: string): OrderedLeaseInfo {
  const r = ZnodeJsonReader.parse(ORDERED_LEASE_FORMAT, data, path);
  r.version(1);
  return { replicaId: r.string('replicaId', { nonEmpty: true }), since: r.int('since', 0), seq: r.decimal('seq', 0n), at: r.int('at', 0) };
}

/** Takes the lease if it is free (or already this session's). True when this session holds it. */
export async function takeOrderedLease(session: ZkSession, paths: ChainPaths, info: OrderedLeaseInfo): Promise<boolean> {
  const stat = await session.exists(paths.orderedWriter);
  if (stat !== null) return session.ownsEphemeral(stat);
  try {
    await session.mkdirp(paths.base);
    await session.create(paths.orderedWriter, encodeOrderedLease(info), 'ephemeral');
    return true;
  } catch (err) {
    if (isZkError(err, 'NODE_EXISTS')) return false;
    throw err;
  }
}

/** True while this session holds the lease. */
export async function holdsOrderedLease(session: ZkSession, paths: ChainPaths): Promise<boolean> {
  const stat = await session.exists(paths.orderedWriter);
  return stat !== null && session.ownsEphemeral(stat);
}

/** Publishes the holder's progress; false when this session no longer holds the lease. */
export async function publishOrderedProgress(session: ZkSession, paths: ChainPaths, info: OrderedLeaseInfo): Promise<boolean> {
  const stat = await session.exists(paths.orderedWriter);
  if (stat === null || !session.ownsEphemeral(stat)) return false;
  try {
    await session.setData(paths.orderedWriter, encodeOrderedLease(info), stat.version);
    return true;
  } catch (err) {
    if (isZkError(err, 'BAD_VERSION') || isZkError(err, 'NO_NODE')) return false;
    throw err;
  }
}

/** Gives the lease up if this session holds it. */
export async function releaseOrderedLease(session: ZkSession, paths: ChainPaths): Promise<void> {
  const stat = await session.exists(paths.orderedWriter);
  if (stat === null || !session.ownsEphemeral(stat)) return;
  await session.remove(paths.orderedWriter, stat.version).catch((err: unknown) => {
    if (!isZkError(err, 'BAD_VERSION')) throw err;
  });
}

export async function readOrderedLease(session: ZkSession, paths: ChainPaths): Promise<OrderedLeaseInfo | null> {
  const got = await session.getData(paths.orderedWriter);
  return got === null ? null : decodeOrderedLease(got.data, paths.orderedWriter);
}
