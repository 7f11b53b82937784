import zookeeper from 'node-zookeeper-client';
import type { Event as ZkEvent, Stat } from 'node-zookeeper-client';

/** What seqchain sees of ZooKeeper's data model, and the conversions from the library's types. */

export type ZkCreateMode = 'persistent' | 'persistent_sequential' | 'ephemeral' | 'ephemeral_sequential';

export interface ZkStat {
  version: number;
  cversion: number;
  numChildren: number;
  dataLength: number;
  /** Session id (16 hex digits) owning an ephemeral node; '0000000000000000' for persistent ones. */
  ephemeralOwner: string;
}

export interface ZkData {
  data: Buffer;
  version: number;
  stat: ZkStat;
}

export type ZkWatchEventType = 'created' | 'deleted' | 'dataChanged' | 'childrenChanged' | 'other';
export interface ZkWatchEvent {
  type: ZkWatchEventType;
  path: string;
}
export type ZkWatcher = (event: ZkWatchEvent) => void;

const { CreateMode } = zookeeper;

/** The library's create mode for each of seqchain's. */
export const CREATE_MODE: Readonly<Record<ZkCreateMode, number>> = {
  persistent: CreateMode.PERSISTENT,
  persistent_sequential: CreateMode.PERSISTENT_SEQUENTIAL,
  ephemeral: CreateMode.EPHEMERAL,
  ephemeral_sequential: CreateMode.EPHEMERAL_SEQUENTIAL,
};

export function toStat(stat: Stat): ZkStat {
  return {
    version: stat.version,
    cversion: stat.cversion,
    numChildren: stat.numChildren,
    dataLength: stat.dataLength,
    ephemeralOwner: Buffer.from(stat.ephemeralOwner).toString('hex'),
  };
}

export function toWatchEvent(e: ZkEvent): ZkWatchEvent {
  const t = e.getType();
  const type: ZkWatchEventType =
    t === zookeeper.Event.NODE_CREATED
      ? 'created'
      : t === zookeeper.Event.NODE_DELETED
        ? 'deleted'
        : t === zookeeper.Event.NODE_DATA_CHANGED
          ? 'dataChanged'
          : t === zookeeper.Event.NODE_CHILDREN_CHANGED
            ? 'childrenChanged'
            : 'other';
  return { type, path: e.getPath() };
}
