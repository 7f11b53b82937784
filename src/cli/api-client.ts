import { connectZk } from '../coordination/connect.js';
import type { Config } from '../config/schema.js';
import { readLeader } from '../coordination/leader.js';
import { listMembers } from '../coordination/members.js';
import { chainPaths } from '../coordination/paths.js';
import { ErrorCodes, SeqchainError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The CLI's way to a replica's HTTP API: `--api <url>` (or SEQCHAIN_API_URL) when given, else the
 * address the leader (for ops) or any member published in ZooKeeper.
 */
export async function resolveApi(config: Readonly<Config>, logger: Logger, explicit: string | undefined, want: 'leader' | 'any'): Promise<string> {
  const given = explicit ?? process.env.SEQCHAIN_API_URL;
  if (given) return given.replace(/\/+$/, '');
  const zk = await connectZk(config.zookeeper, logger);
  try {
    const paths = chainPaths(config.zookeeper.root, config.chain);
    const leader = await readLeader(zk, paths);
    if (leader?.apiAddress) return leader.apiAddress;
    if (want === 'any') {
      const member = (await listMembers(zk, paths)).find((m) => m.apiAddress);
      if (member) return member.apiAddress;
    }
  } finally {
    await zk.close().catch(() => undefined);
  }
  throw new SeqchainError(
    'SEQCHAIN_ERR_UNREACHABLE',
    `no ${want === 'leader' ? 'leader' : 'replica'} of chain ${config.chain} publishes an API address in ZooKeeper; is a replica running? (or pass --api <url>)`,
    {
      retriable: true,
    },
  );
}

/** Calls the API; a non-2xx answer becomes a SeqchainError with the server's code and message. */
export async function callApi(base: string, method: 'GET' | 'POST', path: string, options: { token?: string | null; body?: unknown } = {}): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `cannot reach the seqchain API at ${base}: ${(err as Error).message}`, {
      retriable: true,
      cause: err,
      details: { url: base },
    });
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the message
  }
  if (!response.ok) throw answerError(method, path, response.status, body, text);
  return body;
}

/** A non-2xx answer as a SeqchainError with the server's code and message. */
function answerError(method: string, path: string, status: number, body: unknown, text: string): SeqchainError {
  const b = (body ?? {}) as { code?: string; message?: string; details?: Record<string, unknown> };
  const code: ErrorCode = b.code && b.code in ErrorCodes ? (b.code as ErrorCode) : 'SEQCHAIN_ERR_UNEXPECTED';
  return new SeqchainError(code, `${method} ${path}: HTTP ${status}: ${b.message ?? text}`, {
    details: { status, ...(b.details ?? {}) },
  });
}

/**
 * GETs a route whose answer is not JSON (`/checkpoint`) as the bytes served: a signed note is
 * checked over its exact bytes, which decoding to text leniently would change.
 */
export async function getApiBytes(base: string, path: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `cannot reach the seqchain API at ${base}: ${(err as Error).message}`, {
      retriable: true,
      cause: err,
      details: { url: base },
    });
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (!response.ok) {
    const text = bytes.toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the message
    }
    throw answerError('GET', path, response.status, body, text);
  }
  return bytes;
}
