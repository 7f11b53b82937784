import { describe, expect, it } from 'vitest';
import { SeqchainError } from '../../../src/errors.js';
import { isRedisError, redactRedisUrl, redisError } from '../../../src/index-store/redis-client.js';

describe('Redis client helpers', () => {
  it('never shows the password of a Redis URL', () => {
    expect(redactRedisUrl('redis://:s3cret@10.0.0.1:6379/2')).toBe('redis://:***@10.0.0.1:6379/2');
    expect(redactRedisUrl('rediss://app:s3cret@r.example:6380')).toBe('rediss://app:***@r.example:6380');
    expect(redactRedisUrl('redis://127.0.0.1:16379')).toBe('redis://127.0.0.1:16379');
    expect(redactRedisUrl('not a url :s3cret@')).not.toContain('s3cret');
  });

  it('turns any Redis failure into a retriable SEQCHAIN_ERR_UNREACHABLE naming the operation', () => {
    const cause = new Error('Command timed out');
    const err = redisError(cause, 'record', { chain: 'c', seq: '5' });
    expect(err).toBeInstanceOf(SeqchainError);
    expect(err).toMatchObject({ code: 'SEQCHAIN_ERR_UNREACHABLE', retriable: true, details: { service: 'redis', op: 'record', chain: 'c', seq: '5' } });
    expect(err.message).toBe('Redis record failed: Command timed out');
    expect(err.cause).toBe(cause);
    expect(isRedisError(err)).toBe(true);
    const own = new SeqchainError('SEQCHAIN_ERR_USAGE', 'x');
    expect(redisError(own, 'record')).toBe(own);
    expect(isRedisError(own)).toBe(false);
  });
});
