import type { Kafka, RetryOptions } from 'kafkajs';

/**
 * The one place seqchain reaches into kafkajs' internals: the per-instance factory its `Kafka`
 * keeps for its Cluster objects, under a private symbol (kafkajs 2.x, src/index.js). kafkajs
 * 2.2.4 is its last release; test/unit/kafka/kafkajs-internals.test.ts fails if an installed
 * kafkajs differs.
 */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

/** The parts of kafkajs' internal cluster and broker objects seqchain uses. */
export interface InternalBroker {
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}
export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalBroker>;
  /** Read by kafkajs' transaction manager (InitProducerId, sendOffsets); never set by kafkajs itself. */
  retry?: RetryOptions;
}
export type CreateCluster = (options: { metadataMaxAge?: number; allowAutoTopicCreation?: boolean }) => InternalCluster;

function factoryKey(kafka: Kafka): symbol | undefined {
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  return key !== undefined && typeof (kafka as unknown as Record<symbol, unknown>)[key] === 'function' ? key : undefined;
}

/**
 * kafkajs' own cluster factory: the connections it makes carry the client's brokers, TLS, SASL and
 * retry settings, exactly as its consumers' do (used for a LeaveGroup on another member's behalf,
 * ./group-member.ts).
 */
export function clusterFactory(kafka: Kafka): CreateCluster {
  const key = factoryKey(kafka);
  if (key === undefined) throw new TypeError(`this kafkajs has no '${CREATE_CLUSTER}' (seqchain needs kafkajs 2.x)`);
  return (kafka as unknown as Record<symbol, CreateCluster>)[key]!;
}

/**
 * kafkajs 2.2 runs a transactional producer's InitProducerId (a new leader's fence) and
 * sendOffsets on `createRetry(cluster.retry)`, but its Cluster never stores `retry`
 * (tulios/kafkajs#851 fixed the producer's own retrier only): those retry on kafkajs' built-in
 * defaults, first after 300 ms (±20%), whatever the client was given. A leader killed mid-cut
 * leaves its transaction open; the broker refuses the successor's InitProducerId once
 * (CONCURRENT_TRANSACTIONS) and has aborted it a few ms later, but the successor waited the
 * 300 ms (bench/probes/fence-abort.ts). This gives every Cluster of `kafka` the client's retry,
 * which kafkajs' own code reads. False, and nothing changed, when the factory is not there.
 */
export function giveClustersTheClientRetry(kafka: Kafka, retry: Readonly<RetryOptions>): boolean {
  const key = factoryKey(kafka);
  if (key === undefined) return false;
  const owner = kafka as unknown as Record<symbol, CreateCluster>;
  const create = owner[key]!;
  owner[key] = (options) => {
    const cluster = create(options);
    cluster.retry ??= { ...retry };
    return cluster;
  };
  return true;
}
