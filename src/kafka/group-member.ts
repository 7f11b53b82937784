import type { Kafka } from 'kafkajs';
import { fromKafkaError } from './errors.js';
import { clusterFactory } from './kafkajs-internals.js';

/**
 * Removes a member from a consumer group now, with a LeaveGroup request sent in its name: the
 * coordinator rebalances the group at once instead of waiting for the member's session to expire.
 * For a member whose process is known to be gone (docs/DESIGN.md, "Workers of a crashed replica").
 * 'unknown': the group no longer has that member (it left, expired, or was removed already).
 * Other failures throw, as typed seqchain errors.
 */
export async function removeGroupMember(kafka: Kafka, groupId: string, memberId: string): Promise<'removed' | 'unknown'> {
  const cluster = clusterFactory(kafka)({ allowAutoTopicCreation: false });
  try {
    await cluster.connect();
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
    return 'removed';
  } catch (err) {
    if ((err as { type?: string }).type === 'UNKNOWN_MEMBER_ID') return 'unknown';
    throw fromKafkaError(err);
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}
