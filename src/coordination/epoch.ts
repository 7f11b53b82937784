import { MalformedMessageError } from '../errors.js';
import { backoffDelayMs, type BackoffPolicy } from '../retry/backoff.js';
import { sleep } from '../retry/sleep.js';
import type { ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { parseDecimal } from './znode-json.js';

/**
 * The epoch znode: a decimal string ("0", "1", …), incremented by every new leader with a
 * version CAS (docs/DESIGN.md invariant 2). Every ledger message carries the epoch of its writer.
 */
const FORMAT = 'epoch znode';
const MAX_ATTEMPTS = 100;
/** Pause after a lost CAS race: random up to 2 ms × attempt, at most 50 ms, so racers spread out. */
const LOST_RACE_BACKOFF: BackoffPolicy = { initialMs: 2, maxMs: 50, growth: 'linear', jitter: 'full' };

export function encodeEpoch(epoch: bigint): Buffer {
  if (epoch < 0n) throw new MalformedMessageError(FORMAT, `field epoch is ${epoch}, below 0`, { field: 'epoch' });
  return Buffer.from(epoch.toString(10), 'utf8');
}

export function decodeEpoch(data: Buffer): bigint {
  return parseDecimal(FORMAT, 'epoch', data.toString('utf8'), 0n);
}

/** The current epoch; 0n when the epoch znode does not exist yet. */
export async function readEpoch(session: ZkSession, paths: ChainPaths): Promise<bigint> {
  const got = await session.getData(paths.epoch);
  return got === null ? 0n : decodeEpoch(got.data);
}

/**
 * Creates the epoch znode with "0" when absent, then increments it by CAS (getData +
 * setData(version)), retrying on BAD_VERSION. Two concurrent callers always get distinct epochs.
 */
export async function bumpEpoch(session: ZkSession, paths: ChainPaths): Promise<bigint> {
  for (let attempt = 1; ; attempt++) {
    const got = await session.getData(paths.epoch);
    if (got === null) {
      await createIfAbsent(session, paths.base, paths.epoch, encodeEpoch(0n));
      continue;
    }
    const next = decodeEpoch(got.data) + 1n;
    try {
      await session.setData(paths.epoch, encodeEpoch(next), got.version);
      return next;
    } catch (err) {
      const lostRace = isZkError(err, 'BAD_VERSION') || isZkError(err, 'NO_NODE');
      if (!lostRace || attempt >= MAX_ATTEMPTS) throw err;
      await sleep(backoffDelayMs(LOST_RACE_BACKOFF, attempt));
    }
  }
}

/** Creates a persistent node (and its parent) unless it exists already. */
export async function createIfAbsent(session: ZkSession, parent: string, path: string, data: Buffer): Promise<void> {
  try {
    await session.create(path, data, 'persistent');
  } catch (err) {
    if (isZkError(err, 'NODE_EXISTS')) return;
    if (!isZkError(err, 'NO_NODE')) throw err;
    await session.mkdirp(parent);
    try {
      await session.create(path, data, 'persistent');
    } catch (err2) {
      if (!isZkError(err2, 'NODE_EXISTS')) throw err2;
    }
  }
}
