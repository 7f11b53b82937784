import { EventEmitter } from 'node:events';
import { SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { encodeJson, ZnodeJsonReader } from './znode-json.js';

/**
 * The pause znode (persistent), JSON v1. While it exists no replica sequences: the leader keeps
 * its leadership and stops cutting; workers go on digesting, so nothing is lost and resume
 * continues from the ledger's coverage. It is a znode, not process state, so a pause survives a
 * leader change or a restart of every replica.
 *
 *   {"v":1,"by":"r1","at":1700000000000,"reason":"maintenance"}
 */
export const PAUSE_FORMAT = 'pause znode v1';

export interface PauseInfo {
  /** Replica (or CLI) that asked for the pause. */
  by: string;
  /** ms since the Unix epoch. */
  at: number;
  reason: string;
}

export function encodePause(info: PauseInfo): Buffer {
  return encodeJson({ v: 1, by: info.by, at: info.at, reason: info.reason });
}

export function decodePause(data: Buffer, path?: string): PauseInfo {
  const r = ZnodeJsonReader.parse(PAUSE_FORMAT, data, path);
  r.version(1);
  return { by: r.string('by'), at: r.int('at', 0), reason: r.string('reason') };
}

export async function readPause(session: ZkSession, paths: ChainPaths): Promise<PauseInfo | null> {
  const got = await session.getData(paths.paused);
  return got === null ? null : decodePause(got.data, paths.paused);
}

/** Pauses sequencing; returns the pause in force (an earlier one is kept, not replaced). */
export async function setPause(session: ZkSession, paths: ChainPaths, info: PauseInfo): Promise<PauseInfo> {
  try {
    await session.create(paths.paused, encodePause(info), 'persistent');
    return info;
  } catch (err) {
    if (!isZkError(err, 'NODE_EXISTS')) throw err;
    return (await readPause(session, paths)) ?? info;
  }
}

/** Resumes sequencing; false when it was not paused. */
export async function clearPause(session: ZkSession, paths: ChainPaths): Promise<boolean> {
  return session.remove(paths.paused);
}

export interface PauseWatchEvents {
  changed: [pause: PauseInfo | null];
}

/**
 * Follows the pause znode: emits `changed` whenever it appears or goes. ZooKeeper watches fire
 * once, so each event re-arms the watch; a new session (after expiry) re-reads it too.
 */
export class PauseWatch extends EventEmitter<PauseWatchEvents> {
  private current: PauseInfo | null = null;
  private started = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly onSession = () => void this.refresh();

  constructor(
    private readonly session: ZkSession,
    private readonly paths: ChainPaths,
    private readonly logger: Logger,
  ) {
    super();
  }

  get paused(): PauseInfo | null {
    return this.current;
  }

  async start(): Promise<PauseInfo | null> {
    if (this.started || this.closed)
      throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', `pause watch of ${this.paths.paused} ${this.closed ? 'is closed' : 'already started'}`);
    this.started = true;
    this.session.on('session', this.onSession);
    this.session.on('connected', this.onSession);
    await this.refresh();
    return this.current;
  }

  /** Stops following the znode. The same promise on every call. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.session.off('session', this.onSession);
      this.session.off('connected', this.onSession);
    })();
    return this.closing;
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    try {
      const stat = await this.session.exists(this.paths.paused, () => void this.refresh());
      const next = stat === null ? null : await readPause(this.session, this.paths);
      if (this.closed) return;
      const was = this.current;
      this.current = next;
      if ((was === null) !== (next === null)) this.emit('changed', next);
    } catch (err) {
      // Disconnected: the 'connected'/'session' event re-reads it.
      this.logger.warn({ err, path: this.paths.paused }, 'could not read the pause znode');
    }
  }
}
