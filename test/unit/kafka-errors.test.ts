import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isSeqchainError } from '../../src/errors.js';
import { fromKafkaError } from '../../src/kafka/errors.js';

describe('kafkajs errors as seqchain errors', () => {
  it('a connection failure, even wrapped in retries, is a retriable UNREACHABLE naming the address', () => {
    const inner = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
    const err = fromKafkaError(new KafkaJSNumberOfRetriesExceeded(inner, { retryCount: 5, retryTime: 100 }));
    expect(isSeqchainError(err) && err.code).toBe('SEQCHAIN_ERR_UNREACHABLE');
    expect(isSeqchainError(err) && err.retriable).toBe(true);
    expect((err as Error).message).toContain('127.0.0.1:1');
  });

  it('other kafkajs errors keep their message under UNEXPECTED', () => {
    const err = fromKafkaError(new KafkaJSProtocolError('Topic authorization failed'));
    expect(isSeqchainError(err) && err.code).toBe('SEQCHAIN_ERR_UNEXPECTED');
    expect((err as Error).message).toBe('Kafka: Topic authorization failed');
  });

  it('leaves errors that are not kafkajs errors alone', () => {
    const plain = new Error('x');
    expect(fromKafkaError(plain)).toBe(plain);
  });
});
