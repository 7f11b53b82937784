import { SeqchainError } from '../errors.js';

const CONNECTIVITY = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
]);

/** Node's TLS certificate checks (self-signed chain, unknown CA, name mismatch, expiry). */
const TLS_CERT_FAILURE = /certificate|self-signed|altname|CERT_/i;

/**
 * A kafkajs error as a seqchain error: a rejected SASL login becomes a non-retriable
 * SEQCHAIN_ERR_CONFIG naming the keys to check; connectivity problems become a retriable
 * SEQCHAIN_ERR_UNREACHABLE, with a hint when the cause looks like TLS; anything else keeps
 * kafkajs' message under SEQCHAIN_ERR_UNEXPECTED. The root cause's message names the broker
 * address. Non-kafkajs errors are returned unchanged.
 */
export function fromKafkaError(err: unknown): unknown {
  if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) return err;
  const root = rootCause(err);
  if (err.name === 'KafkaJSSASLAuthenticationError' || root.name === 'KafkaJSSASLAuthenticationError') {
    return new SeqchainError('SEQCHAIN_ERR_CONFIG', `Kafka rejected the SASL login (check kafka.sasl.mechanism, username and password): ${root.message}`, {
      retriable: false,
      cause: err,
      details: { kafkaError: root.name },
    });
  }
  if (CONNECTIVITY.has(err.name) || CONNECTIVITY.has(root.name)) {
    // Wrong or missing TLS settings look like an outage from inside kafkajs; say what to check.
    const hint = TLS_CERT_FAILURE.test(root.message)
      ? " (the broker's TLS certificate was not accepted: check kafka.tls.caFile and kafka.tls.servername)"
      : root.message === 'Closed connection'
        ? ' (a broker that closes every connection at once may require TLS: check kafka.ssl)'
        : '';
    return new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `Kafka unreachable: ${root.message}${hint}`, { retriable: true, cause: err });
  }
  return new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `Kafka: ${root.message}`, {
    retriable: Boolean((err as { retriable?: boolean }).retriable),
    cause: err,
    details: { kafkaError: err.name },
  });
}

function rootCause(err: Error): Error {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  return e;
}
