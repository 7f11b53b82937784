import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { CLIENT_RETRY, giveClustersTheClientRetry, SEQUENCER_RETRY } from '../../../src/kafka/client.js';

/** The Cluster objects a Kafka instance makes, through the same factory its producers use. */
function clusterOf(kafka: Kafka): { retry?: unknown } {
  const owner = kafka as unknown as Record<symbol, (options: object) => { retry?: unknown }>;
  const key = Object.getOwnPropertySymbols(owner).find((s) => s.description === 'private:Kafka:createCluster')!;
  return owner[key]!({});
}

describe('the client retry for kafkajs clusters (InitProducerId, the fence)', () => {
  it('kafkajs as installed drops the client retry from its Cluster: the reason for the fix', () => {
    expect(clusterOf(new Kafka({ brokers: ['127.0.0.1:1'], retry: { ...CLIENT_RETRY } })).retry).toBeUndefined();
  });

  it('finds kafkajs cluster factory and gives every cluster the client retry', () => {
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
