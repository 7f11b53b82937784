/**
 * Which partition of Kafka's internal topics holds a group's or a transactional id's state, as
 * the broker computes it (the coordinator is that partition's leader): Java's String.hashCode,
 * Kafka's Utils.abs (0 for Integer.MIN_VALUE), modulo the topic's partition count
 * (offsets.topic.num.partitions, transaction.state.log.num.partitions). kafkajs has no admin
 * call that names a coordinator, so the chaos faults that kill one compute it. Pure.
 */

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** The partition of __consumer_offsets (group id) or __transaction_state (transactional id). */
export function coordinatorPartition(key: string, partitions: number): number {
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new RangeError(`partition count must be a whole number ≥ 1, got ${partitions}`);
  const h = javaStringHash(key);
  return (h === -0x8000_0000 ? 0 : Math.abs(h)) % partitions;
}
