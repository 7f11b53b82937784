import { describe, expect, it } from 'vitest';
import {
  KafkaJSConnectionError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { SeqchainError } from '../../../src/errors.js';
import { consumerCrashError, crashAction, noConsumerRestart } from '../../../src/kafka/consumer-crash.js';
import { groupConsumerConfig } from '../../../src/kafka/client.js';
import { groupConsumerOptions } from '../../../src/config/slices.js';
import { loadConfig } from '../../../src/config/load.js';

type Ctor = new (message: string) => Error;
const groupLoading = () =>
  Object.assign(new KafkaJSProtocolError("The coordinator is loading and hence can't process requests for this group"), {
    type: 'COORDINATOR_LOAD_IN_PROGRESS',
    retriable: true,
  });

describe('what seqchain does with a crashed kafkajs consumer', () => {
  it('re-creates after the failures of a broker restart, even those kafkajs calls non-retriable and never restarts', () => {
    const coordinator = new (KafkaJSGroupCoordinatorNotFound as unknown as Ctor)('Failed to find group coordinator');
    expect(crashAction(coordinator)).toBe('recreate');
    expect(crashAction(new KafkaJSNonRetriableError(coordinator as never))).toBe('recreate');
    expect(crashAction(groupLoading())).toBe('recreate');
    expect(
      crashAction(
        new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:49092'), {
          retryCount: 8,
          retryTime: 3000,
        }),
      ),
    ).toBe('recreate');
    expect(crashAction(new SeqchainError('SEQCHAIN_ERR_TIMEOUT', 'digest partition unknown', { retriable: true }))).toBe('recreate');
  });

  it('fails the role when a new consumer would fail the same way: a rejected SASL login, a non-retriable seqchain error, a bug', () => {
    expect(crashAction(new (KafkaJSSASLAuthenticationError as unknown as Ctor)('SASL SCRAM SHA512 authentication failed'))).toBe('fail');
    expect(crashAction(new SeqchainError('SEQCHAIN_ERR_CHAIN_BROKEN', 'broken'))).toBe('fail');
    expect(crashAction(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('fail');
  });

  it('names the consumer in a typed error whose retriable flag matches the decision', () => {
    const err = consumerCrashError('range reader (g)', groupLoading());
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE', retriable: true, details: { consumer: 'range reader (g)' } });
    expect(err.message).toContain('coordinator is loading');
    const bug = consumerCrashError('worker', new TypeError('x is not a function'));
    expect(bug).toMatchObject({ code: 'SEQCHAIN_ERR_UNEXPECTED', retriable: false });
    expect(consumerCrashError('worker', new (KafkaJSSASLAuthenticationError as unknown as Ctor)('bad password'))).toMatchObject({
      code: 'SEQCHAIN_ERR_CONFIG',
      retriable: false,
    });
  });

  it('every long-running group consumer is configured so that kafkajs never restarts it (its restart path can end the process, kafkajs#1390)', async () => {
    const cfg = groupConsumerConfig(groupConsumerOptions(loadConfig({ env: {} }), 'worker'), 'g');
    expect(await cfg.retry!.restartOnFailure!(groupLoading())).toBe(false);
    expect(await noConsumerRestart.restartOnFailure()).toBe(false);
  });
});
