import { NotEnoughBrokersError } from '../errors.js';

/**
 * Whether a cluster with `brokers` live brokers can hold topics replicated as configured: Kafka
 * places every replica of a partition on another broker, so the factor cannot exceed the brokers.
 * Returns the error to throw, or null. Pure: the caller asks the cluster for its brokers.
 */
export function replicationShortfall(replication: { readonly replicationFactor: number }, brokers: number): NotEnoughBrokersError | null {
  const { replicationFactor } = replication;
  if (replicationFactor <= brokers) return null;
  const has = `${brokers} live broker${brokers === 1 ? '' : 's'}`;
  return new NotEnoughBrokersError(
    `replication factor ${replicationFactor} (kafka.replicationFactor, SEQCHAIN_KAFKA_REPLICATION_FACTOR) needs ${replicationFactor} brokers, the Kafka cluster has ${has}: lower the factor to at most ${brokers} or start the missing brokers`,
    { replicationFactor, brokers },
  );
}
