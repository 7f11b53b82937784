import { isSeqchainError, SeqchainError } from '../errors.js';
import { fromKafkaError } from './errors.js';

/**
 * What seqchain does when a kafkajs consumer crashes. Every seqchain consumer runs with
 * `retry.restartOnFailure` answering false (see `noConsumerRestart`), so kafkajs never restarts
 * one by itself and the owner of the consumer decides:
 *
 * - kafkajs 2.2.4 restarts a crashed consumer from a timer without catching a failure of that
 *   restart (tulios/kafkajs#1390): a second GROUP_LOAD_IN_PROGRESS after a broker restart is an
 *   unhandled rejection that ends the process.
 * - kafkajs does not restart at all after errors it calls non-retriable, among them
 *   KafkaJSGroupCoordinatorNotFound ("Failed to find group coordinator") while a broker is down:
 *   the consumer stays dead and nothing says so.
 *
 * `recreate`: the failure is the cluster's (a broker restarting, a coordinator moving, retries
 * exhausted), whatever kafkajs calls it: a new consumer will get through once Kafka is back.
 * `fail`: a new consumer would fail the same way (a rejected SASL login, a seqchain error that
 * says retrying cannot help, a bug such as a TypeError): the role stops, loudly.
 */
export type CrashAction = 'recreate' | 'fail';

/** Runtime errors that mean a bug, not an outage (kafkajs treats them as unrecoverable too). */
const BUGS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

export function crashAction(err: unknown): CrashAction {
  if (!(err instanceof Error)) return 'recreate';
  if (BUGS.has(err.name)) return 'fail';
  if (isSeqchainError(err)) return err.retriable ? 'recreate' : 'fail';
  const mapped = fromKafkaError(err);
  if (isSeqchainError(mapped) && mapped.code === 'SEQCHAIN_ERR_CONFIG') return 'fail';
  return 'recreate';
}

/**
 * A consumer crash as a seqchain error naming the consumer: SEQCHAIN_ERR_UNREACHABLE and
 * retriable when `crashAction` says a new consumer may get through, otherwise the mapped error
 * (SEQCHAIN_ERR_CONFIG, the seqchain error itself) or SEQCHAIN_ERR_UNEXPECTED, not retriable.
 */
export function consumerCrashError(consumer: string, err: unknown): SeqchainError {
  const mapped = fromKafkaError(err);
  if (crashAction(err) === 'fail') {
    if (isSeqchainError(mapped)) return mapped;
    return new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `${consumer} consumer crashed: ${(err as Error)?.message ?? String(err)}`, {
      retriable: false,
      cause: err,
      details: { consumer },
    });
  }
  const message = isSeqchainError(mapped) || mapped instanceof Error ? mapped.message : String(mapped);
  return new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `${consumer} consumer crashed: ${message}`, {
    retriable: true,
    cause: err,
    details: { consumer, kafkaError: (err as Error)?.name },
  });
}

/**
 * The consumer `retry` setting that keeps kafkajs from restarting a crashed consumer itself
 * (merged over the client's retry options by kafkajs): whoever owns the consumer handles its
 * CRASH event instead.
 */
export const noConsumerRestart = { restartOnFailure: async (): Promise<boolean> => false } as const;
