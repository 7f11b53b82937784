import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { clusterFactory } from '../../../src/kafka/group-member.js';

describe("removing another process's group member (kafkajs' private cluster factory)", () => {
  it('the installed kafkajs has the factory, and it builds a cluster with a LeaveGroup-capable coordinator lookup', () => {
    const kafka = new Kafka({ clientId: 'unit', brokers: ['127.0.0.1:1'], logLevel: 0 });
    const cluster = clusterFactory(kafka)({ allowAutoTopicCreation: false });
    expect(typeof cluster.connect).toBe('function');
    expect(typeof cluster.findGroupCoordinator).toBe('function');
    expect(typeof cluster.disconnect).toBe('function');
  });

  it('says which kafkajs it needs when the factory is not there', () => {
    expect(() => clusterFactory({} as Kafka)).toThrow(/seqchain needs kafkajs 2\.x/);
  });
});
