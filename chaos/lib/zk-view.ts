/**
 * The driver's read-only view of the chain's znodes (leader, members), with a deadline on every
 * read: ZooKeeper is one of the things the chaos run stops, and a read must never hang the
 * driver. A failed read answers null; the session is reopened when it is gone.
 */
import { connectZk } from '../../src/coordination/connect.js';
import type { Config } from '../../src/config/schema.js';
import { readLeader, type LeaderInfo } from '../../src/coordination/leader.js';
import { listMembers, type MemberInfo } from '../../src/coordination/members.js';
import { chainPaths, type ChainPaths } from '../../src/coordination/paths.js';
import type { ZkSession } from '../../src/coordination/zk-session.js';
import type { Logger } from '../../src/log.js';

export class ZkView {
  private session: Promise<ZkSession> | null = null;
  private readonly paths: ChainPaths;

  constructor(
    private readonly config: Readonly<Config>,
    private readonly logger: Logger,
    private readonly deadlineMs = 5_000,
  ) {
    this.paths = chainPaths(config.zookeeper.root, config.chain);
  }

  leader(): Promise<LeaderInfo | null> {
    return this.read((s) => readLeader(s, this.paths));
  }

  members(): Promise<MemberInfo[] | null> {
    return this.read((s) => listMembers(s, this.paths));
  }

  private async read<T>(fn: (s: ZkSession) => Promise<T>): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<null>((res) => (timer = setTimeout(() => res(null), this.deadlineMs)));
    try {
      this.session ??= connectZk(this.config.zookeeper, this.logger);
      const attempt = this.session.then(fn);
      attempt.catch(() => undefined);
      return await Promise.race([attempt, deadline]);
    } catch (err) {
      const s = await this.session?.catch(() => null);
      if (!s || s.state === 'closed') this.session = null; // never opened, or gone: open anew next time
      this.logger.debug({ err: (err as Error).message }, 'chaos zk read failed');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const s = await this.session?.catch(() => null);
    this.session = null;
    await s?.close();
  }
}
