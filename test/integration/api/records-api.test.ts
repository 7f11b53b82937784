import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { IHeaders } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../scripts/lib/replica-set.js';
import { linkHash } from '../../../src/chain/link.js';
import { ENTRY_BYTES } from '../../../src/index-store/entry-codec.js';
import type { SequencedRecordJson } from '../../../src/reader/record-json.js';
import type { CutMessage } from '../../../src/wire/ledger-v1.js';
import { ChainFixture, type LedgerRow } from '../../helpers/chain-fixture.js';
import { deleteRecordsBelow } from '../../helpers/tamper.js';

/**
 * The records themselves through the HTTP API, on the real stack: GET /v1/records/{seq}?payload=true
 * and the NDJSON stream GET /v1/records?from=&to=. Records with a null key, an empty and a null
 * value, binary bytes and repeated header names are produced with kafkajs; the API must give them
 * back byte for byte, with the chain's hashes, and refuse to serve what does not match the chain.
 */
const PARTITIONS = 3;
const SPECIAL = 30;
const BULK = 1_200;
const TOTAL = SPECIAL + BULK;
const PAGE = 100;
const MAX_STREAM = 1_000;
// Recent on purpose: records older than the broker's retention (7 days by default) are deleted by
// its next retention check when they fill a segment on their own, and were, mid-run, once.
const T0 = Date.now() - 3_600_000;

let f: ChainFixture;
let api: string;
let rows: LedgerRow[];
let hashes: Buffer[];

// biome-ignore lint/suspicious/noExplicitAny: a JSON body read loosely in a test
type Json = Record<string, any>;
async function get(url: string): Promise<{ status: number; body: Json; type: string | null }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Json) : { text }, type: res.headers.get('content-type') };
}

/** An NDJSON response: status, content type, and every line parsed. */
async function stream(url: string): Promise<{ status: number; type: string | null; lines: Json[]; raw: string }> {
  const res = await fetch(url);
  const raw = await res.text();
  const lines = raw
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
  return { status: res.status, type: res.headers.get('content-type'), lines, raw };
}

interface Sent {
  key: string | null;
  value: string | null;
  headers: { name: string; value: string | null }[];
  timestampMs: string;
}
/** What was written, by `<partition>/<offset>`, in the API's encoding (base64). */
const sent = new Map<string, Sent>();
const b64 = (b: Buffer | null) => (b === null ? null : b.toString('base64'));

function message(i: number) {
  const key = i % 4 === 0 ? null : i % 4 === 1 ? Buffer.from([0xff, 0x00, i, 0x80]) : Buffer.from(`key-${i}`);
  const value = i % 5 === 0 ? Buffer.alloc(0) : i % 5 === 1 ? null : i % 5 === 2 ? randomBytes(64) : Buffer.from(`value ${i} é`);
  // Repeated names keep their wire order; kafkajs groups a record's headers by name.
  const headers: IHeaders =
    i % 3 === 0 ? {} : { trace: [Buffer.from(`t${i}-first`), Buffer.alloc(0), Buffer.from(`t${i}-third`)], id: Buffer.from([i, 0, 255]) };
  return { partition: i % PARTITIONS, key, value, headers, timestamp: String(T0 + i) };
}

async function produceSpecial(): Promise<void> {
  const producer = f.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const messages = Array.from({ length: SPECIAL }, (_, i) => message(i)).filter((m) => m.partition === p);
      const [meta] = await producer.send({ topic: f.topic, messages, acks: -1 });
      messages.forEach((m, k) => {
        const headers = Object.entries(m.headers).flatMap(([name, v]) =>
          (Array.isArray(v) ? v : [v]).map((b) => ({ name, value: b === undefined ? null : Buffer.from(b).toString('base64') })),
        );
        sent.set(`${p}/${BigInt(meta!.baseOffset!) + BigInt(k)}`, { key: b64(m.key), value: b64(m.value), headers, timestampMs: m.timestamp });
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function indexedSeq(): Promise<bigint> {
  const head = await get(`${api}/v1/head`);
  return head.status === 200 ? BigInt(head.body.seq) : -1n;
}

async function verificationFailures(): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  return Number(/^seqchain_verification_failures_total\{[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 'NaN');
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqchain-records-api-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ api: { maxPageSize: PAGE, maxStreamRange: MAX_STREAM } }));
  f = new ChainFixture({ SEQCHAIN_CONFIG: configFile });
  await f.init(PARTITIONS);
  f.set.start(`${f.chain}-r1`);
  api = await f.set.apiUrl(`${f.chain}-r1`);
  await waitFor('a leader', async () => (await f.set.leader()) ?? undefined, 60_000);
  await produceSpecial();
  await f.produce(BULK);
  await waitFor('all records sequenced', async () => (await f.set.sequenced()) >= TOTAL, 120_000, 100);
  await waitFor('the index caught up', async () => (await indexedSeq()) === BigInt(TOTAL), 60_000, 100);
  rows = await f.ledgerRows();
  // The chain recomputed from the ledger alone, by seq.
  hashes = [f.genesis.hash];
  for (const cut of (await f.ledgerMessages()).filter((m): m is CutMessage => m.kind === 'cut'))
    cut.entries.forEach((e, i) => {
      hashes.push(linkHash(hashes[hashes.length - 1]!, cut.firstSeq + BigInt(i), e.digest));
    });
}, 240_000);

afterAll(async () => {
  await f?.close();
});

/** The special records' seqs, from the ledger. */
function specialSeqs(): number[] {
  return rows.filter((r) => sent.has(`${r.partition}/${r.offset}`)).map((r) => Number(r.seq));
}

/** A bucket entry of the index rewritten in place (seqs below 1310 live in bucket 0), restored by the returned function. */
async function tamperEntry(seq: number, digest: Buffer, hash: Buffer | null): Promise<() => Promise<void>> {
  const client = new Redis(f.set.config.redis.url);
  const [key, ...others] = await client.keys(`${f.set.config.redis.keyPrefix}:${f.chain}:*:e:0`);
  expect(others).toEqual([]);
  const at = seq * ENTRY_BYTES;
  const original = await client.getrangeBuffer(key!, at, at + ENTRY_BYTES - 1);
  await client.setrange(key!, at + 20, digest);
  if (hash) await client.setrange(key!, at + 52, hash);
  return async () => {
    await client.setrange(key!, at, original);
    client.disconnect();
  };
}

describe('the records through the API (real Kafka, ZooKeeper, Redis)', () => {
  it('GET /v1/records/{seq}?payload=true adds exactly the produced key, value and headers; without it the answer is unchanged', async () => {
    const seqs = specialSeqs();
    expect(seqs).toHaveLength(SPECIAL);
    for (const seq of seqs) {
      const row = rows[seq - 1]!;
      const s = sent.get(`${row.partition}/${row.offset}`)!;
      const plain = await get(`${api}/v1/records/${seq}`);
      expect(plain.status).toBe(200);
      expect(Object.keys(plain.body).sort()).toEqual(['cutId', 'digest', 'epoch', 'hash', 'position', 'prevHash', 'seq', 'timestampMs']);
      expect((await get(`${api}/v1/records/${seq}?payload=false`)).body).toEqual(plain.body);
      const full = await get(`${api}/v1/records/${seq}?payload=true`);
      expect(full.status, JSON.stringify(full.body)).toBe(200);
      expect(full.body).toEqual({ ...plain.body, key: s.key, value: s.value, headers: s.headers });
      expect(full.body.timestampMs).toBe(s.timestampMs);
      expect(full.body.hash).toBe(hashes[seq]!.toString('hex'));
    }
    // The cases the encoding must keep apart, all among them.
    const values = [...sent.values()];
    expect(values.some((s) => s.key === null)).toBe(true);
    expect(values.some((s) => s.value === '')).toBe(true);
    expect(values.some((s) => s.value === null)).toBe(true);
    expect(values.some((s) => s.headers.filter((h) => h.name === 'trace').length === 3)).toBe(true);
    const bad = await get(`${api}/v1/records/1?payload=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/query parameter 'payload'/);
  });

  it('GET /v1/records streams a range as NDJSON: every record in seq order, checked, with the chain hashes and the produced bytes', async () => {
    const started = performance.now();
    const first = await stream(`${api}/v1/records?from=1&to=${MAX_STREAM}`);
    const ms = performance.now() - started;
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^application\/x-ndjson/);
    const rest = await stream(`${api}/v1/records?from=${MAX_STREAM + 1}`);
    expect(rest.status).toBe(200);
    const lines = [...first.lines, ...rest.lines] as SequencedRecordJson[];
    expect(lines.map((l) => l.seq)).toEqual(rows.map((r) => r.seq.toString()));
    expect(lines.map((l) => `${l.partition}/${l.offset}`)).toEqual(rows.map((r) => `${r.partition}/${r.offset}`));
    expect(lines.map((l) => l.hash)).toEqual(hashes.slice(1).map((h) => h.toString('hex')));
    for (const l of lines) {
      const s = sent.get(`${l.partition}/${l.offset}`);
      if (s) expect({ key: l.key, value: l.value, headers: l.headers, timestampMs: l.timestampMs }).toEqual(s);
      else expect(l.value).not.toBeNull();
    }
    // One line = the payload route's answer for that seq, in the reader's encoding.
    const seq = specialSeqs()[7]!;
    const one = (await get(`${api}/v1/records/${seq}?payload=true`)).body;
    expect(lines[seq - 1]).toEqual({
      seq: one.seq,
      topic: f.topic,
      partition: one.position.partition,
      offset: one.position.offset,
      timestampMs: one.timestampMs,
      key: one.key,
      value: one.value,
      headers: one.headers,
      digest: one.digest,
      hash: one.hash,
    });
    const inner = await stream(`${api}/v1/records?from=95&to=105`);
    expect(inner.lines.map((l) => l.seq)).toEqual(Array.from({ length: 11 }, (_, i) => String(95 + i)));
    console.log(
      `[figure] GET /v1/records: ${MAX_STREAM} records in pages of ${PAGE}, ${ms.toFixed(0)} ms (${((MAX_STREAM / ms) * 1000).toFixed(0)} records/s)`,
    );
  }, 120_000);

  it('a client that goes away mid-stream: the replica keeps serving and leaves no reader group behind', async () => {
    const abort = new AbortController();
    const res = await fetch(`${api}/v1/records?from=1&to=${MAX_STREAM}`, { signal: abort.signal });
    expect(res.status).toBe(200);
    const first = await res.body!.getReader().read();
    expect(first.value!.length).toBeGreaterThan(0);
    abort.abort();
    // Long enough for a page read under way to end: none may start after it.
    await new Promise((r) => setTimeout(r, 2_000));
    const admin = f.kafka.admin();
    await admin.connect();
    try {
      const prefix = `seqchain.${f.chain}.records`;
      await waitFor(
        "the stream's reader groups deleted",
        async () => (await admin.listGroups()).groups.every((g) => !g.groupId.startsWith(prefix)),
        30_000,
        200,
      );
    } finally {
      await admin.disconnect();
    }
    const again = await stream(`${api}/v1/records?from=1&to=10`);
    expect(again.lines.map((l) => l.seq)).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
  }, 60_000);

  it('refuses a range over api.maxStreamRange with 400 naming the key, and a range past the head with 404', async () => {
    const cases: [string, number, RegExp][] = [
      [`/v1/records?from=1&to=${MAX_STREAM + 1}`, 400, /spans 1001 records; at most 1000 per request \(api\.maxStreamRange\)/],
      ['/v1/records?from=1', 400, /api\.maxStreamRange/],
      [`/v1/records?from=${TOTAL - 5}&to=${TOTAL + 1}`, 404, /'to' \(1231\) is beyond the indexed head \(seq 1230\)/],
      [`/v1/records?from=${TOTAL + 1}`, 404, /'from' \(1231\) is beyond the indexed head/],
      ['/v1/records?from=5&to=2', 400, /query parameter 'to' must not be below 'from'/],
      ['/v1/records?from=0', 400, /query parameter 'from' must be a global sequence number/],
      ['/v1/records?form=1', 400, /'form' is not a parameter of this route/],
    ];
    for (const [path, status, message] of cases) {
      const res = await get(`${api}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.type).toMatch(/^application\/json/);
      expect(res.body.message).toMatch(message);
    }
  });

  it('a source record that differs from the index: the payload route answers 500 SEQCHAIN_ERR_CHAIN_BROKEN, the stream ends with an error line at its seq', async () => {
    const S = 150;
    const row = rows[S - 1]!;
    const failuresBefore = await verificationFailures();
    // An index entry whose digest and hash agree with each other but not with the source: what
    // a changed source record looks like from the index.
    const fake = randomBytes(32);
    const restore = await tamperEntry(S, fake, linkHash(hashes[S - 1]!, BigInt(S), fake));
    try {
      const one = await get(`${api}/v1/records/${S}?payload=true`);
      expect(one.status).toBe(500);
      expect(one.body).toMatchObject({
        code: 'SEQCHAIN_ERR_CHAIN_BROKEN',
        details: { kind: 'digest-mismatch', seq: String(S), partition: row.partition, offset: row.offset.toString(), actual: fake.toString('hex') },
      });
      expect(one.body.message).toMatch(`seq ${S} (partition ${row.partition}, offset ${row.offset})`);
      expect(one.body.key).toBeUndefined();
      // Without payload nothing is read from the source: the index's entry as it stands.
      expect((await get(`${api}/v1/records/${S}`)).status).toBe(200);

      const cut = await stream(`${api}/v1/records?from=${S - 60}&to=${S + 60}`);
      expect(cut.status).toBe(200);
      expect(cut.lines.slice(0, -1).map((l) => l.seq)).toEqual(Array.from({ length: 60 }, (_, i) => String(S - 60 + i)));
      expect(cut.lines.at(-1)).toEqual({
        error: {
          code: 'SEQCHAIN_ERR_CHAIN_BROKEN',
          message: expect.stringContaining(`seq ${S}`),
          seq: String(S),
          partition: row.partition,
          offset: row.offset.toString(),
          details: expect.objectContaining({ kind: 'digest-mismatch', seq: String(S) }),
        },
      });
      expect(cut.raw.endsWith('}\n')).toBe(true);

      // Failing at its very first record, the stream has not started: an ordinary error response.
      const atOnce = await get(`${api}/v1/records?from=${S}&to=${S + 10}`);
      expect(atOnce.status).toBe(500);
      expect(atOnce.body).toMatchObject({ code: 'SEQCHAIN_ERR_CHAIN_BROKEN', details: { kind: 'digest-mismatch', seq: String(S) } });
      expect(await verificationFailures()).toBe(failuresBefore + 3);
    } finally {
      await restore();
    }
    // A digest changed in the index alone: its hash no longer follows.
    const restoreDigest = await tamperEntry(S, randomBytes(32), null);
    try {
      const one = await get(`${api}/v1/records/${S}?payload=true`);
      expect(one.status).toBe(500);
      expect(one.body).toMatchObject({ code: 'SEQCHAIN_ERR_CHAIN_BROKEN', details: { kind: 'record-hash', seq: String(S) } });
    } finally {
      await restoreDigest();
    }
    const healed = await stream(`${api}/v1/records?from=${S - 60}&to=${S + 60}`);
    expect(healed.lines).toHaveLength(121);
    expect(healed.lines.every((l) => l.error === undefined)).toBe(true);
  }, 120_000);

  it('a record deleted by retention: 410 SEQCHAIN_ERR_SOURCE_DELETED naming partition and offset; the stream ends with that error line', async () => {
    // The first record of a partition other than seq 1's: some records come before it.
    const p = (rows[0]!.partition + 1) % PARTITIONS;
    const victim = rows.find((r) => r.partition === p)!;
    const D = Number(victim.seq);
    expect(D).toBeGreaterThan(1);
    const failuresBefore = await verificationFailures();
    await deleteRecordsBelow(f, f.topic, p, victim.offset + 1n);

    const one = await get(`${api}/v1/records/${D}?payload=true`);
    expect(one.status).toBe(410);
    expect(one.body).toMatchObject({
      code: 'SEQCHAIN_ERR_SOURCE_DELETED',
      details: { partition: p, from: victim.offset.toString(), to: (victim.offset + 1n).toString(), seq: String(D) },
    });
    expect(one.body.message).toMatch(`partition ${p}, offset ${victim.offset}`);
    expect(one.body.message).toMatch(/deleted by retention/);

    const cut = await stream(`${api}/v1/records?from=1&to=${D + 20}`);
    expect(cut.status).toBe(200);
    expect(cut.lines.slice(0, -1).map((l) => l.seq)).toEqual(Array.from({ length: D - 1 }, (_, i) => String(i + 1)));
    expect(cut.lines.at(-1)).toMatchObject({
      error: { code: 'SEQCHAIN_ERR_SOURCE_DELETED', seq: String(D), partition: p, offset: victim.offset.toString() },
    });
    expect((await get(`${api}/v1/records?from=${D}&to=${D}`)).status).toBe(410);
    // Deleted is not tampered: no verification failure counted.
    expect(await verificationFailures()).toBe(failuresBefore);
  }, 60_000);

  it('documents both routes in the OpenAPI document', async () => {
    const doc = (await get(`${api}/openapi.json`)).body;
    const one = doc.paths['/v1/records/{seq}'].get;
    expect(one.parameters.map((x: Json) => `${x.in}:${x.name}`)).toEqual(expect.arrayContaining(['path:seq', 'query:payload']));
    expect(Object.keys(one.responses['200'].content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['key', 'value', 'headers']));
    const many = doc.paths['/v1/records'].get;
    expect(many.parameters.map((x: Json) => `${x.in}:${x.name}`).sort()).toEqual(['query:from', 'query:to']);
    expect(Object.keys(many.responses['200'].content)).toEqual(['application/x-ndjson']);
  });
});
