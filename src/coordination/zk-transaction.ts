import zookeeper from 'node-zookeeper-client';
import type { ACL as ZkAcl } from 'node-zookeeper-client';
import { pinTransactionVersion } from './zk-client-workarounds.js';
import { ZkError, zkCodeOf } from './zk-errors.js';
import { CREATE_MODE, type ZkCreateMode } from './zk-types.js';

const { Exception } = zookeeper;

/** Runs one library call under the session's rules (state checks, op timeout, ZkError mapping). */
export type ZkRunner = <T>(op: string, path: string, fn: (cb: (err: unknown, res?: T) => void) => void) => Promise<T>;

/** Transaction builder; commit() is all-or-nothing. */
export class ZkTransaction {
  private readonly ops: { op: string; path: string }[] = [];

  constructor(
    private readonly tx: zookeeper.Transaction,
    private readonly acl: ZkAcl[],
    private readonly run: ZkRunner,
  ) {}

  create(path: string, data: Buffer | null, mode: ZkCreateMode = 'persistent'): this {
    this.tx.create(path, data ?? Buffer.alloc(0), this.acl, CREATE_MODE[mode]);
    this.ops.push({ op: 'create', path });
    return this;
  }

  setData(path: string, data: Buffer, version = -1): this {
    this.tx.setData(path, data, version);
    pinTransactionVersion(this.tx, version);
    this.ops.push({ op: 'setData', path });
    return this;
  }

  check(path: string, version: number): this {
    this.tx.check(path, version);
    pinTransactionVersion(this.tx, version);
    this.ops.push({ op: 'check', path });
    return this;
  }

  remove(path: string, version = -1): this {
    this.tx.remove(path, version);
    pinTransactionVersion(this.tx, version);
    this.ops.push({ op: 'remove', path });
    return this;
  }

  get size(): number {
    return this.ops.length;
  }

  /** Rejects with the ZkError of the first operation that failed (its path and code). */
  async commit(): Promise<void> {
    const described = this.ops.map((o) => `${o.op} ${o.path}`).join(', ');
    await this.run<unknown>('transaction', described, (cb) =>
      this.tx.commit((err, results: unknown) => {
        if (err && Array.isArray(results)) {
          const idx = results.findIndex(
            (r: { err?: number }) => typeof r?.err === 'number' && r.err !== Exception.OK && r.err !== Exception.RUNTIME_INCONSISTENCY,
          );
          const failed = idx >= 0 ? this.ops[idx] : undefined;
          if (failed) {
            cb(new ZkError(zkCodeOf(err), `transaction ${failed.op}`, failed.path, err));
            return;
          }
        }
        cb(err, results);
      }),
    );
  }
}
