/** Sessions opened from configuration: the one way every command and the replica reach ZooKeeper. */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { readGenesis, type GenesisRecord } from './genesis-store.js';
import { chainPaths } from './paths.js';
import { ZkSession } from './zk-session.js';

/** How to reach ZooKeeper: the `zookeeper.*` settings less the replica's own behaviour (fastTakeover). */
export type ZooKeeperConfig = Omit<Config['zookeeper'], 'fastTakeover'>;

/** Opens the ZooKeeper session the `zookeeper.*` configuration describes. */
export function connectZk(zk: Readonly<ZooKeeperConfig>, logger: Logger): Promise<ZkSession> {
  return ZkSession.connect({
    connect: zk.connect,
    sessionTimeoutMs: zk.sessionTimeoutMs,
    connectTimeoutMs: zk.connectTimeoutMs,
    acl: zk.acl,
    logger, // ZkSession.connect names its component ('zk')
    ...(zk.auth ? { auth: { scheme: 'digest' as const, credentials: zk.auth } } : {}),
  });
}

/** Runs `fn` on a session opened for it and closed after it (one-shot commands). */
export async function withZkSession<T>(zkConfig: Readonly<ZooKeeperConfig>, logger: Logger, fn: (zk: ZkSession) => Promise<T>): Promise<T> {
  const zk = await connectZk(zkConfig, logger);
  return fn(zk).finally(() => zk.close());
}

/** The chain's genesis, through a session opened and closed for it. */
export function readChainGenesis(zkConfig: Readonly<ZooKeeperConfig>, chain: string, logger: Logger): Promise<GenesisRecord> {
  return withZkSession(zkConfig, logger, (zk) => readGenesis(zk, chainPaths(zkConfig.root, chain)));
}
