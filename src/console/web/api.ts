/** The replica's own HTTP API (same origin): JSON and text reads, and the ops routes with a bearer token. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function fail(res: Response): Promise<never> {
  let body: { code?: string; message?: string; details?: Record<string, unknown> } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON: the status says enough
  }
  throw new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? `${res.status} ${res.statusText}`, body.details ?? {});
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, signal });
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  const res = await fetch(path, { signal });
  if (!res.ok) return fail(res);
  return res.text();
}

/** POST to an ops route; the token goes in the Authorization header only (never a URL, never storage). */
export async function postOps<T>(path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

/** What /v1/status answers (src/ops/chain-status.ts), as far as the console reads it. */
export interface Status {
  replicaId: string;
  chain: string;
  topic: string;
  leader: { replicaId: string; epoch: string; since: number; apiAddress: string } | null;
  epoch: string;
  paused: { by: string; at: number; reason: string } | null;
  members: { replicaId: string; host: string; pid: number; apiAddress: string; partitions: number[] }[];
  head: { seq: string; hash: string; epoch: string; cutId: string };
  lastCut: { cutId: string; records: number; latencyMs: number; at: number } | null;
  recentCuts: { cutId: string; epoch: string; lastSeq: string; records: number; latencyMs: number; at: number }[];
  partitions: { partition: number; nextOffset: string; endOffset: string; lag: string; owner: string | null }[];
  totalLag: string;
}

/** /v1/records/{seq} (with ?payload=true: key, value, headers). */
export interface RecordView {
  seq: string;
  position: { partition: number; offset: string };
  timestampMs: string;
  digest: string;
  hash: string;
  prevHash: string;
  epoch: string;
  cutId: string;
  key?: string | null;
  value?: string | null;
  headers?: { name: string; value: string | null }[];
}

export interface InclusionProof {
  seq: string;
  leafIndex: string;
  treeSize: string;
  proof: string[];
  checkpoint: string | null;
}
