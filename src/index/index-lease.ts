import type { Redis } from 'ioredis';

/** Extends the lease only while this owner still holds it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Gives the lease up only if this owner holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Who writes the index into one Redis. Replicas that share a Redis would otherwise all decode
 * the ledger, re-hash the chain and send the same writes; with the lease one of them does it and
 * the others only read. A holder that dies loses the lease when its time-to-live runs out.
 * The key `<prefix>:<chain>:lease` has no incarnation segment, so an index reset leaves it alone.
 */
export class IndexLease {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(): Promise<boolean> {
    return (await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** False when the lease is no longer this owner's (it expired and someone else took it). */
  async renew(): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, this.key, this.owner, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }

  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
