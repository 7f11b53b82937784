import type { Redis } from 'ioredis';
import { defineIndexScripts, type ScriptClient } from './redis-client.js';
import { LEASE_RELEASE, LEASE_RENEW } from './scripts.js';

/**
 * Who writes the index into one Redis. Replicas that share a Redis would otherwise all decode
 * the ledger, re-hash the chain and send the same writes; with the lease one of them does it and
 * the others only read. A holder that dies loses the lease when its time-to-live runs out.
 * The key (`ChainKeys.lease`) has no incarnation segment, so an index reset leaves it alone.
 */
export class IndexLease {
  private readonly scripts: ScriptClient;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly owner: string,
    private readonly ttlMs: number,
  ) {
    defineIndexScripts(redis);
    this.scripts = redis as unknown as ScriptClient;
  }

  async acquire(): Promise<boolean> {
    return (await this.redis.set(this.key, this.owner, 'PX', this.ttlMs, 'NX')) === 'OK';
  }

  /** False when the lease is no longer this owner's (it expired and someone else took it). */
  async renew(): Promise<boolean> {
    return Number(await this.scripts[LEASE_RENEW.command]!(this.key, this.owner, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.scripts[LEASE_RELEASE.command]!(this.key, this.owner);
  }

  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
