/**
 * Asks a replica's HTTP API for the indexed head (`GET /v1/head`), the way a user would, with a
 * deadline: during a Redis outage it must answer 503 (never hang, never a wrong 200).
 */
export interface HeadAnswer {
  /** HTTP status, or 0 when the API did not answer. */
  status: number;
  /** The indexed head seq when status is 200. */
  seq: number | null;
}

export async function fetchHead(apiUrl: string, timeoutMs = 3_000): Promise<HeadAnswer> {
  try {
    const res = await fetch(`${apiUrl}/v1/head`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) {
      await res.arrayBuffer().catch(() => undefined);
      return { status: res.status, seq: null };
    }
    const body = (await res.json()) as { seq?: string };
    return { status: 200, seq: body.seq === undefined ? null : Number(body.seq) };
  } catch {
    return { status: 0, seq: null };
  }
}
