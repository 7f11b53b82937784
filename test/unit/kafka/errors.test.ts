import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { isSeqchainError } from '../../../src/errors.js';
import { fromKafkaError } from '../../../src/kafka/errors.js';

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

  it('a rejected SASL login is a non-retriable CONFIG error naming the keys to check', () => {
    // kafkajs' typings declare no constructor argument; at runtime it takes the message like every KafkaJSError.
    const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
    const err = fromKafkaError(new SaslError('SASL SCRAM SHA512 authentication failed: invalid credentials'));
    expect(isSeqchainError(err) && err.code).toBe('SEQCHAIN_ERR_CONFIG');
    expect(isSeqchainError(err) && err.retriable).toBe(false);
    expect((err as Error).message).toBe(
      'Kafka rejected the SASL login (check kafka.sasl.mechanism, username and password): SASL SCRAM SHA512 authentication failed: invalid credentials',
    );
  });

  it('a TLS certificate failure or an at-once closed connection stays UNREACHABLE, with a hint at the TLS keys', () => {
    const cert = fromKafkaError(
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain'), {
        retryCount: 8,
        retryTime: 3000,
      }),
    );
    expect(isSeqchainError(cert) && cert.code).toBe('SEQCHAIN_ERR_UNREACHABLE');
    expect((cert as Error).message).toContain('check kafka.tls.caFile');
    const closed = fromKafkaError(new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Closed connection'), { retryCount: 8, retryTime: 3000 }));
    expect((closed as Error).message).toBe(
      'Kafka unreachable: Closed connection (a broker that closes every connection at once may require TLS: check kafka.ssl)',
    );
  });

  it('leaves errors that are not kafkajs errors alone', () => {
    const plain = new Error('x');
    expect(fromKafkaError(plain)).toBe(plain);
  });
});
