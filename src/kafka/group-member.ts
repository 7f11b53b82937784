import type { Kafka } from 'kafkajs';
import { fromKafkaError } from './errors.js';

/** The parts of kafkajs' internal cluster and broker objects this module uses. */
interface InternalBroker {
  leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalBroker>;
}
type CreateCluster = (options: { metadataMaxAge?: number; allowAutoTopicCreation?: boolean }) => InternalCluster;

/** kafkajs keeps its cluster factory under this symbol's description (kafkajs 2.x, src/index.js). */
const CREATE_CLUSTER = 'private:Kafka:createCluster';

/**
 * kafkajs' own cluster factory: the connections it makes carry the client's brokers, TLS, SASL and
 * retry settings, exactly as its consumers' do. kafkajs has no public call for a LeaveGroup on
 * behalf of another member (its admin client lacks KIP-345's removeMembersFromConsumerGroup), so
 * the factory is reached through its private symbol; kafkajs 2.2.4 is the last release, and the
 * unit test of this module fails if a version without it is installed.
 */
export function clusterFactory(kafka: Kafka): CreateCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const factory = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== 'function') throw new TypeError(`this kafkajs has no '${CREATE_CLUSTER}' (seqchain needs kafkajs 2.x)`);
  return factory as CreateCluster;
}

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
