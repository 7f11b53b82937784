import { MalformedMessageError, SeqchainError } from '../errors.js';
import { decodeDigestBatch, type DigestBatch } from './digest-batch-v1.js';
import { rejectReason } from './reader.js';

/**
 * Which internal stream a rejected message came from: the label `topic` of
 * seqchain_rejected_messages_total, and `details.stream` of the error that halts the replica.
 */
export type RejectedStream = 'digest' | 'ledger';

/**
 * Decodes one message of digest partition `partition`: an SCD1 batch for that same source
 * partition (the worker writes p → p). Anything else is a MalformedMessageError with a reason.
 */
export function decodeDigestMessage(value: Buffer | null, partition: number): DigestBatch {
  if (!value || value.length === 0) throw new MalformedMessageError('digest batch v1', 'message has no value', { field: '(value)', reason: 'empty' });
  const decoded = decodeDigestBatch(value);
  if (decoded.partition !== partition) {
    throw new MalformedMessageError('digest batch v1', `batch for source partition ${decoded.partition} found in digest partition ${partition}`, {
      field: 'partition',
      reason: 'wrong_partition',
    });
  }
  return decoded;
}

/**
 * The error that stops sequencing on a digest message that does not decode: says where it is
 * (topic, partition, offset) and what was wrong; never retried (the message stays where it is).
 */
export function rejectedDigest(err: unknown, topic: string, partition: number, offset: string): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_MALFORMED_MESSAGE', `digest topic ${topic} partition ${partition} offset ${offset}: ${(err as Error).message}`, {
    cause: err,
    details: {
      stream: 'digest' satisfies RejectedStream,
      reason: rejectReason(err),
      topic,
      partition,
      offset,
      field: (err as MalformedMessageError).details?.field,
    },
  });
}

/**
 * Where a ledger message that does not decode sits and what was wrong with it: the `details`
 * that seqchain_rejected_messages_total{topic="ledger"} and the halt log line read (the ledger
 * has one partition).
 */
export function rejectedLedgerDetails(
  err: MalformedMessageError,
  offset: bigint,
): { stream: RejectedStream; partition: 0; offset: string; reason: string; field: unknown } {
  return { stream: 'ledger', partition: 0, offset: offset.toString(), reason: rejectReason(err), field: err.details.field };
}

/** The stream and reason of an error that rejected an internal message, or null for any other error. */
export function rejectedMessage(err: SeqchainError): { stream: RejectedStream; reason: string } | null {
  if (err.code !== 'SEQCHAIN_ERR_MALFORMED_MESSAGE') return null;
  const stream = err.details.stream;
  if (stream !== 'digest' && stream !== 'ledger') return null;
  return { stream, reason: rejectReason(err) };
}
