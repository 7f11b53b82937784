import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { CLIENT_RETRY, SEQUENCER_RETRY } from '../../../src/kafka/client.js';
import { clusterFactory, giveClustersTheClientRetry } from '../../../src/kafka/kafkajs-internals.js';

/** A Cluster object as a Kafka instance makes them, through the same factory its producers use. */
const clusterOf = (kafka: Kafka) => clusterFactory(kafka)({});

describe('the client retry for kafkajs clusters (InitProducerId, the fence)', () => {
  it('kafkajs as installed drops the client retry from its Cluster: the reason for the fix', () => {
    expect(clusterOf(new Kafka({ brokers: ['127.0.0.1:1'], retry: { ...CLIENT_RETRY } })).retry).toBeUndefined();
  });

  it("finds kafkajs' cluster factory and gives every cluster the client retry", () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], retry: { ...SEQUENCER_RETRY } });
    expect(giveClustersTheClientRetry(kafka, SEQUENCER_RETRY)).toBe(true);
    expect(clusterOf(kafka).retry).toEqual(SEQUENCER_RETRY);
    expect(clusterOf(kafka).retry).not.toBe(clusterOf(kafka).retry); // a copy each: kafkajs may not share it
  });

  it('changes nothing on an object without kafkajs internals', () => {
    const plain = {} as Kafka;
    expect(giveClustersTheClientRetry(plain, CLIENT_RETRY)).toBe(false);
    expect(Object.getOwnPropertySymbols(plain)).toEqual([]);
  });
});

describe("kafkajs' private cluster factory (a LeaveGroup for another process's member)", () => {
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
