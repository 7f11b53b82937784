import zookeeper from 'node-zookeeper-client';
import type { Exception as ZkException } from 'node-zookeeper-client';
import { SeqchainError, type ErrorCode } from '../errors.js';

/** ZooKeeper error names seqchain cares about; anything else is 'OTHER'. */
export type ZkCode =
  | 'BAD_VERSION'
  | 'NODE_EXISTS'
  | 'NO_NODE'
  | 'NOT_EMPTY'
  | 'NO_AUTH'
  | 'INVALID_ACL'
  | 'AUTH_FAILED'
  | 'CONNECTION_LOSS'
  | 'SESSION_EXPIRED'
  | 'OPERATION_TIMEOUT'
  | 'NO_CHILDREN_FOR_EPHEMERALS'
  | 'OTHER';

const CONNECTION_CODES: ReadonlySet<ZkCode> = new Set(['CONNECTION_LOSS', 'SESSION_EXPIRED', 'OPERATION_TIMEOUT']);
/**
 * A concurrent writer got there first (version moved, node appeared or vanished). Callers that
 * need to know which conflict tell them apart by `zkCode`.
 */
const CONFLICT_CODE: ErrorCode = 'SEQCHAIN_ERR_ZK_CONFLICT';

/** A failed ZooKeeper operation: `zkCode` is the ZooKeeper error, `path` the znode. */
export class ZkError extends SeqchainError {
  readonly zkCode: ZkCode;
  readonly path: string;

  constructor(zkCode: ZkCode, op: string, path: string, cause?: unknown) {
    const connection = CONNECTION_CODES.has(zkCode);
    const denied = zkCode === 'NO_AUTH' || zkCode === 'INVALID_ACL' || zkCode === 'AUTH_FAILED';
    const code: ErrorCode = connection ? 'SEQCHAIN_ERR_UNREACHABLE' : denied ? 'SEQCHAIN_ERR_CONFIG' : CONFLICT_CODE;
    super(code, `zookeeper ${op} ${path}: ${zkCode}${denied ? ' (check zookeeper.auth and zookeeper.acl)' : ''}`, {
      retriable: connection || (!denied && zkCode !== 'OTHER'),
      cause,
      details: { zkCode, path, op },
    });
    this.name = 'ZkError';
    this.zkCode = zkCode;
    this.path = path;
  }
}

export function isZkError(err: unknown, zkCode?: ZkCode): err is ZkError {
  return err instanceof ZkError && (zkCode === undefined || err.zkCode === zkCode);
}

const { Exception } = zookeeper;

export function zkCodeOf(err: unknown): ZkCode {
  const code = (err as Partial<ZkException> | null)?.code;
  switch (code) {
    case Exception.BAD_VERSION:
      return 'BAD_VERSION';
    case Exception.NODE_EXISTS:
      return 'NODE_EXISTS';
    case Exception.NO_NODE:
      return 'NO_NODE';
    case Exception.NOT_EMPTY:
      return 'NOT_EMPTY';
    case Exception.NO_AUTH:
      return 'NO_AUTH';
    case Exception.INVALID_ACL:
      return 'INVALID_ACL';
    case Exception.AUTH_FAILED:
      return 'AUTH_FAILED';
    case Exception.CONNECTION_LOSS:
      return 'CONNECTION_LOSS';
    case Exception.SESSION_EXPIRED:
      return 'SESSION_EXPIRED';
    case Exception.OPERATION_TIMEOUT:
      return 'OPERATION_TIMEOUT';
    case Exception.NO_CHILDREN_FOR_EPHEMERALS:
      return 'NO_CHILDREN_FOR_EPHEMERALS';
    default:
      return 'OTHER';
  }
}
