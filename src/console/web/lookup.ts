/** The explorer's search box: what an entry asks for, and the API route that answers it. No DOM. */

/** What a search box entry asks for: a seq, a partition/offset position, or a record digest. */
export type Lookup = { kind: 'seq'; seq: string } | { kind: 'position'; partition: string; offset: string } | { kind: 'digest'; hex: string };

export function parseLookup(text: string): Lookup | null {
  const t = text.trim().toLowerCase();
  if (/^[1-9][0-9]*$/.test(t)) return { kind: 'seq', seq: t };
  const pos = /^([0-9]+)\s*[/:@]\s*([0-9]+)$/.exec(t);
  if (pos) return { kind: 'position', partition: pos[1] as string, offset: pos[2] as string };
  if (/^[0-9a-f]{64}$/.test(t)) return { kind: 'digest', hex: t };
  return null;
}

export function lookupPath(q: Lookup): string {
  if (q.kind === 'seq') return `/v1/records/${q.seq}`;
  if (q.kind === 'position') return `/v1/positions/${q.partition}/${q.offset}`;
  return `/v1/digests/${q.hex}`;
}
