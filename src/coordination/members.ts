import { SeqchainError } from '../errors.js';
import { bindOnce, type Logger } from '../log.js';
import { validateZnodeName, type ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { encodeJson, ZnodeJsonReader } from './znode-json.js';

/**
 * One ephemeral znode per running replica, <base>/members/<replicaId>, JSON v1:
 *
 *   {"v":1,"replicaId":"r1","pid":1234,"host":"h","startedAt":1700000000000,
 *    "apiAddress":"http://h:8080","partitions":[0,2],"workerMemberId":"seqchain-r1-replica-6f1…"}
 *
 * `partitions` are the source partitions this replica's worker owns now (for status).
 * `workerMemberId` (optional, added without a version change: readers ignore fields they do not
 * know) is its worker's member id in the worker consumer group, so that a peer that sees this
 * process gone can remove that member at once (./member-watch.ts).
 */
export const MEMBER_FORMAT = 'member znode v1';

export interface MemberInfo {
  replicaId: string;
  pid: number;
  host: string;
  /** ms since the Unix epoch */
  startedAt: number;
  apiAddress: string;
  partitions: number[];
  /** The worker's member id in the worker group, once it joined. */
  workerMemberId?: string;
}

export function encodeMember(m: MemberInfo): Buffer {
  validateZnodeName('replicaId', m.replicaId);
  return encodeJson({
    v: 1,
    replicaId: m.replicaId,
    pid: m.pid,
    host: m.host,
    startedAt: m.startedAt,
    apiAddress: m.apiAddress,
    partitions: [...m.partitions],
    ...(m.workerMemberId === undefined ? {} : { workerMemberId: m.workerMemberId }),
  });
}

export function decodeMember(data: Buffer, path?: string): MemberInfo {
  const r = ZnodeJsonReader.parse(MEMBER_FORMAT, data, path);
  r.version(1);
  const replicaId = r.string('replicaId', { nonEmpty: true });
  // The same rule encodeMember applies: a decoded member can always be written back.
  try {
    validateZnodeName('replicaId', replicaId);
  } catch (err) {
    r.fail('replicaId', `is not a valid znode name: ${(err as Error).message}`);
  }
  const member: MemberInfo = {
    replicaId,
    pid: r.int('pid', 0),
    host: r.string('host'),
    startedAt: r.int('startedAt', 0),
    apiAddress: r.string('apiAddress'),
    partitions: r.intArray('partitions', 0, 0x7fff_ffff),
  };
  if (r.has('workerMemberId')) member.workerMemberId = r.string('workerMemberId', { nonEmpty: true });
  return member;
}

/**
 * This replica's membership: start() creates the ephemeral node, update() changes it,
 * close() removes it. After a new session ('session') it registers again by itself.
 */
export class MemberRegistration {
  private info: MemberInfo;
  private readonly path: string;
  private readonly logger: Logger;
  private registered = false;
  private closed = false;
  /**
   * The member this registration replaced at start: a node left by an earlier process with the
   * same replica id whose session had not expired yet (a restart at once, as a supervisor does).
   */
  replaced: MemberInfo | null = null;
  private closing: Promise<void> | null = null;
  private readonly onSession = (): void => {
    if (!this.registered || this.closed) return;
    this.write().catch((err: unknown) => this.logger.error({ err, path: this.path }, 'member re-registration after new session failed'));
  };

  constructor(
    private readonly session: ZkSession,
    private readonly paths: ChainPaths,
    info: MemberInfo,
  ) {
    this.info = { ...info, partitions: [...info.partitions] };
    this.path = paths.member(info.replicaId);
    // The session's logger already binds component 'zk', which these lines keep (they say 'member node').
    this.logger = bindOnce(session.logger, { component: 'members', replicaId: info.replicaId });
  }

  get current(): Readonly<MemberInfo> {
    return this.info;
  }

  /** Registers this replica (creates its member node). */
  async start(): Promise<void> {
    if (this.registered || this.closed)
      throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', `membership of ${this.info.replicaId} ${this.closed ? 'is closed' : 'already started'}`);
    this.registered = true;
    this.session.on('session', this.onSession);
    await this.write();
  }

  /** Changes what this replica publishes (e.g. the partitions it owns); replicaId is fixed. */
  async update(patch: Partial<Omit<MemberInfo, 'replicaId'>>): Promise<void> {
    this.info = { ...this.info, ...patch, replicaId: this.info.replicaId };
    if (this.registered && !this.closed) await this.write();
  }

  /** Removes the member node. The same promise on every call. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    this.session.off('session', this.onSession);
    if (!this.registered || !this.session.isConnected) return;
    try {
      const stat = await this.session.exists(this.path);
      if (stat !== null && this.session.ownsEphemeral(stat)) await this.session.remove(this.path, stat.version);
    } catch (err) {
      this.logger.warn({ err, path: this.path }, 'could not remove member node (it goes with the session)');
    }
  }

  /** Create, overwrite our own node, or replace one left by an earlier session of this replica. */
  private async write(): Promise<void> {
    const data = encodeMember(this.info);
    for (let attempt = 1; ; attempt++) {
      const got = await this.session.getData(this.path);
      const stat = got?.stat ?? null;
      try {
        if (stat === null) {
          await this.session.mkdirp(this.paths.members);
          await this.session.create(this.path, data, 'ephemeral');
        } else if (this.session.ownsEphemeral(stat)) {
          await this.session.setData(this.path, data, stat.version);
        } else {
          this.logger.warn({ path: this.path, owner: stat.ephemeralOwner }, 'replacing a member node left by another session with the same replica id');
          await this.session.transaction().remove(this.path, stat.version).create(this.path, data, 'ephemeral').commit();
          this.replaced = decodeOrNull(got!.data, this.path);
        }
        return;
      } catch (err) {
        const raced = isZkError(err, 'NODE_EXISTS') || isZkError(err, 'BAD_VERSION') || isZkError(err, 'NO_NODE');
        if (!raced || attempt >= 5) throw err;
      }
    }
  }
}

function decodeOrNull(data: Buffer, path: string): MemberInfo | null {
  try {
    return decodeMember(data, path);
  } catch {
    return null;
  }
}

/** Every registered member, sorted by replica id; malformed nodes are logged and skipped. */
export async function listMembers(session: ZkSession, paths: ChainPaths): Promise<MemberInfo[]> {
  return (await listMemberNodes(session, paths)).map((n) => n.member);
}

/** listMembers with each node's owner: the ZooKeeper session id (16 hex digits) of that replica process. */
export async function listMemberNodes(session: ZkSession, paths: ChainPaths): Promise<{ member: MemberInfo; owner: string }[]> {
  const names = (await session.getChildren(paths.members)) ?? [];
  const out: { member: MemberInfo; owner: string }[] = [];
  for (const name of names.sort()) {
    const path = `${paths.members}/${name}`;
    const got = await session.getData(path);
    if (got === null) continue;
    try {
      out.push({ member: decodeMember(got.data, path), owner: got.stat.ephemeralOwner });
    } catch (err) {
      session.logger.warn({ err, path }, 'skipping malformed member node');
    }
  }
  return out;
}

/** The API address a member node gives, or null when there is no node or it serves no API. */
export function apiAddressOf(member: MemberInfo | null): string | null {
  return member === null || member.apiAddress === '' ? null : member.apiAddress;
}

/** The member node of `replicaId` when `owner`'s session still owns it, else null. */
export async function memberOfSession(session: ZkSession, paths: ChainPaths, replicaId: string, owner: string): Promise<MemberInfo | null> {
  const path = paths.member(replicaId);
  const got = await session.getData(path);
  if (got === null || got.stat.ephemeralOwner !== owner) return null;
  return decodeMember(got.data, path);
}
