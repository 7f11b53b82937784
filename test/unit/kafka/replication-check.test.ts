import { describe, expect, it } from 'vitest';
import { NotEnoughBrokersError } from '../../../src/errors.js';
import { replicationShortfall } from '../../../src/kafka/replication-check.js';

describe('replicationShortfall', () => {
  it('accepts a factor up to the number of live brokers', () => {
    expect(replicationShortfall({ replicationFactor: 1 }, 1)).toBeNull();
    expect(replicationShortfall({ replicationFactor: 3 }, 3)).toBeNull();
    expect(replicationShortfall({ replicationFactor: 2 }, 5)).toBeNull();
  });

  it('refuses a factor above the brokers with one line naming the factor, the brokers, the key and the variable', () => {
    const err = replicationShortfall({ replicationFactor: 3 }, 1);
    expect(err).toBeInstanceOf(NotEnoughBrokersError);
    expect(err!.code).toBe('SEQCHAIN_ERR_NOT_ENOUGH_BROKERS');
    expect(err!.retriable).toBe(false);
    expect(err!.details).toEqual({ replicationFactor: 3, brokers: 1 });
    expect(err!.message).toBe(
      'replication factor 3 (kafka.replicationFactor, SEQCHAIN_KAFKA_REPLICATION_FACTOR) needs 3 brokers, the Kafka cluster has 1 live broker: lower the factor to at most 1 or start the missing brokers',
    );
    expect(err!.message).not.toContain('\n');
    expect(replicationShortfall({ replicationFactor: 3 }, 2)!.message).toContain('the Kafka cluster has 2 live brokers');
  });
});
