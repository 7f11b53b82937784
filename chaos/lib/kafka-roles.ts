/**
 * Which broker plays a role right now (the leader of the ledger partition, the transaction
 * coordinator of the sequencer's transactional id, the worker group's coordinator), and whether
 * the cluster has healed (every replica of the chain's topics back in sync), from Kafka's own
 * metadata.
 */
import type { Admin, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaNames } from '../../src/kafka/names.js';
import { withAdmin } from '../../src/kafka/offsets.js';
import { coordinatorPartition } from './coordinators.js';

export type BrokerRole = 'ledger-leader' | 'txn-coordinator' | 'group-coordinator';

const OFFSETS_TOPIC = '__consumer_offsets';
const TXN_TOPIC = '__transaction_state';

type PartitionMeta = { partitionId: number; leader: number; isr: number[]; replicas: number[] };

/** The partitions of each topic, in one metadata request. */
async function partitionsOf(admin: Admin, names: readonly string[]): Promise<PartitionMeta[][]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
  return names.map((name) => {
    const found = topics.find((t) => t.name === name);
    if (!found) throw new Error(`topic ${name} is not in the cluster metadata`);
    return found.partitions;
  });
}

async function leaderOf(admin: Admin, topic: string, partition: (count: number) => number): Promise<number> {
  const list = (await partitionsOf(admin, [topic]))[0]!;
  const id = partition(list.length);
  const p = list.find((x) => x.partitionId === id);
  if (!p || p.leader < 0) throw new Error(`${topic} partition ${id} has no leader`);
  return p.leader;
}

/** The node id of the broker that plays `role` for `chain` now. */
export function brokerFor(kafka: Kafka, chain: string, role: BrokerRole): Promise<number> {
  return withAdmin(kafka, (admin) => {
    switch (role) {
      case 'ledger-leader':
        return leaderOf(admin, kafkaNames.ledgerTopic(chain), () => 0);
      case 'txn-coordinator':
        return leaderOf(admin, TXN_TOPIC, (n) => coordinatorPartition(kafkaNames.transactionalId(chain), n));
      case 'group-coordinator':
        return leaderOf(admin, OFFSETS_TOPIC, (n) => coordinatorPartition(kafkaNames.workerGroup(chain), n));
    }
  });
}

/** The topics whose replicas must all be back in sync before the next fault. */
export function chainTopics(chain: string, sourceTopic: string): string[] {
  return [sourceTopic, kafkaNames.digestTopic(chain), kafkaNames.ledgerTopic(chain), OFFSETS_TOPIC, TXN_TOPIC];
}

/**
 * Waits until every partition of `topics` has a leader and all its replicas in sync (the
 * cluster healed after a broker came back). Returns the wait in ms, or null after timeoutMs.
 */
export async function waitInSync(kafka: Kafka, topics: readonly string[], timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      const all = await withAdmin(kafka, (admin) => partitionsOf(admin, topics));
      const healed = all.flat().every((p) => p.leader >= 0 && p.isr.length >= p.replicas.length);
      if (healed) return Date.now() - t0;
    } catch {
      // A broker that is still starting answers with errors: ask again.
    }
    await sleep(500);
  }
  return null;
}
