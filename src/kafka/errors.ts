import { SeqchainError } from '../errors.js';

const CONNECTIVITY = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound', 'KafkaJSRequestTimeoutError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSLockTimeout']);

/**
 * A kafkajs error as a seqchain error: connectivity problems become a retriable
 * SEQCHAIN_ERR_UNREACHABLE; anything else keeps kafkajs' message under SEQCHAIN_ERR_UNEXPECTED.
 * The root cause's message names the broker address. Non-kafkajs errors are returned unchanged.
 */
export function fromKafkaError(err: unknown): unknown {
  if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) return err;
  const root = rootCause(err);
  if (CONNECTIVITY.has(err.name) || CONNECTIVITY.has(root.name)) {
    return new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `Kafka unreachable: ${root.message}`, { retriable: true, cause: err });
  }
  return new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `Kafka: ${root.message}`, { retriable: Boolean((err as { retriable?: boolean }).retriable), cause: err, details: { kafkaError: err.name } });
}

function rootCause(err: Error): Error {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  return e;
}
