/**
 * Where the chaos run's stack listens, read from the connection settings chaos/chaos.sh exported
 * (SEQCHAIN_KAFKA_BROKERS, SEQCHAIN_ZK_CONNECT, SEQCHAIN_REDIS_URL), and the stack.sh name of
 * each node: the cluster faults pick a broker or a ZooKeeper server by its index here, and the
 * network partitions cut a replica off from these ports. Pure.
 */
export interface StackLayout {
  /** The cluster variant (three brokers, a ZooKeeper ensemble). */
  cluster: boolean;
  /** Client port of Kafka node i+1 (node ids are 1-based, as stack.sh names them: kafka-1…). */
  kafkaPorts: number[];
  /** Client port of ZooKeeper server i+1. */
  zkPorts: number[];
  redisPort: number;
}

function ports(list: string, what: string): number[] {
  const out = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((hostPort) => {
      const m = /:(\d+)(?:\/.*)?$/.exec(hostPort);
      if (!m) throw new Error(`${what}: ${JSON.stringify(hostPort)} has no port`);
      return Number(m[1]);
    });
  if (out.length === 0) throw new Error(`${what} is empty`);
  return out;
}

export function stackLayout(env: NodeJS.ProcessEnv): StackLayout {
  const kafkaPorts = ports(env.SEQCHAIN_KAFKA_BROKERS ?? '', 'SEQCHAIN_KAFKA_BROKERS');
  // A chroot suffix (host:port/chroot) belongs to the whole connect string, after the last port.
  const zkPorts = ports(env.SEQCHAIN_ZK_CONNECT ?? '', 'SEQCHAIN_ZK_CONNECT');
  const redis = /:(\d+)(?:\/\d*)?$/.exec(env.SEQCHAIN_REDIS_URL ?? '');
  if (!redis) throw new Error(`SEQCHAIN_REDIS_URL: ${JSON.stringify(env.SEQCHAIN_REDIS_URL ?? '')} has no port`);
  return { cluster: env.SEQCHAIN_STACK_CLUSTER === '1', kafkaPorts, zkPorts, redisPort: Number(redis[1]) };
}

/** stack.sh's name for Kafka node `nodeId` (1-based) or ZooKeeper server `index` (1-based). */
export const kafkaNode = (nodeId: number): string => `kafka-${nodeId}`;
export const zookeeperNode = (index: number): string => `zookeeper-${index}`;
