import { SeqchainError } from '../errors.js';
import type { ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { encodeJson, ZnodeJsonReader } from './znode-json.js';

/**
 * The shared counter znode, JSON v1 (bigints as decimal strings, hashes as lowercase hex):
 *
 *   {"v":1,"epoch":"3","nextSeq":"1001","headHash":"<64 hex>","ledgerOffset":"57"}
 *
 * epoch: epoch of the leader that wrote it; nextSeq: the next global sequence number (1 before
 * the first record); headHash: hash of record nextSeq-1 (the genesis hash h0 at first);
 * ledgerOffset: offset of the ledger message this state was written after (-1: none yet).
 * The counter is a cache of the ledger head (docs/DESIGN.md invariant 3), written with a version CAS:
 * a failed CAS means another leader moved it, so this one steps down (invariant 2).
 */
export const COUNTER_FORMAT = 'counter znode v1';

export interface CounterValue {
  epoch: bigint;
  nextSeq: bigint;
  headHash: Buffer;
  ledgerOffset: bigint;
}

/** The counter moved under us (or vanished): another leader is active. Step down. */
export class LeadershipLostError extends SeqchainError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('SEQCHAIN_ERR_LEADERSHIP_LOST', message, { retriable: false, details, cause });
    this.name = 'LeadershipLostError';
  }
}

export function encodeCounter(v: CounterValue): Buffer {
  if (v.epoch < 0n) throw new TypeError(`counter epoch ${v.epoch} below 0`);
  if (v.nextSeq < 1n) throw new TypeError(`counter nextSeq ${v.nextSeq} below 1`);
  if (!Buffer.isBuffer(v.headHash) || v.headHash.length !== 32) throw new TypeError('counter headHash must be 32 bytes');
  if (v.ledgerOffset < -1n) throw new TypeError(`counter ledgerOffset ${v.ledgerOffset} below -1`);
  return encodeJson({
    v: 1,
    epoch: v.epoch.toString(10),
    nextSeq: v.nextSeq.toString(10),
    headHash: v.headHash.toString('hex'),
    ledgerOffset: v.ledgerOffset.toString(10),
  });
}

export function decodeCounter(data: Buffer, path?: string): CounterValue {
  const r = ZnodeJsonReader.parse(COUNTER_FORMAT, data, path);
  r.version(1);
  return {
    epoch: r.decimal('epoch', 0n),
    nextSeq: r.decimal('nextSeq', 1n),
    headHash: r.hex('headHash', 32),
    ledgerOffset: r.decimal('ledgerOffset', -1n),
  };
}

export async function readCounter(session: ZkSession, paths: ChainPaths): Promise<{ value: CounterValue; version: number } | null> {
  const got = await session.getData(paths.counter);
  if (got === null) return null;
  return { value: decodeCounter(got.data, paths.counter), version: got.version };
}

/**
 * Creates the counter; returns its version (0). When it exists already: LeadershipLostError
 * (another leader created it first; read it and reconcile).
 */
export async function createCounter(session: ZkSession, paths: ChainPaths, value: CounterValue): Promise<number> {
  const data = encodeCounter(value);
  for (let attempt = 0; ; attempt++) {
    try {
      await session.create(paths.counter, data, 'persistent');
      return 0;
    } catch (err) {
      if (isZkError(err, 'NO_NODE') && attempt === 0) {
        await session.mkdirp(paths.base);
        continue;
      }
      if (isZkError(err, 'NODE_EXISTS')) {
        throw new LeadershipLostError(`counter ${paths.counter} already exists: another leader created it`, { path: paths.counter }, err);
      }
      throw err;
    }
  }
}

/**
 * Writes the counter if it is still at `expectedVersion`; returns the new version. A moved or
 * missing counter → LeadershipLostError (SEQCHAIN_ERR_LEADERSHIP_LOST): step down.
 */
export async function casCounter(session: ZkSession, paths: ChainPaths, value: CounterValue, expectedVersion: number): Promise<number> {
  const data = encodeCounter(value);
  try {
    return await session.setData(paths.counter, data, expectedVersion);
  } catch (err) {
    if (isZkError(err, 'BAD_VERSION') || isZkError(err, 'NO_NODE')) {
      throw new LeadershipLostError(
        `counter ${paths.counter} is no longer at version ${expectedVersion} (${isZkError(err, 'NO_NODE') ? 'deleted' : 'another leader wrote it'}): step down`,
        { path: paths.counter, expectedVersion },
        err,
      );
    }
    throw err;
  }
}
