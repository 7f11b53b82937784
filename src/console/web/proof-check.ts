/**
 * The console's own check of a record's inclusion proof, in the browser with Web Crypto
 * (SHA-256, Ed25519): the server's answer is only data here, never a verdict. The same rules as
 * src/tlog (RFC 9162 §2.1.3.2, C2SP signed-note, tlog-checkpoint), written again because the
 * page cannot load node:crypto; test/unit/console/proof-check.test.ts checks the two agree.
 *
 * No DOM: the page (record.ts) calls it, and Node's Web Crypto runs it in the unit tests.
 */

const encoder = new TextEncoder();

/** Why a check failed, in words the page shows. */
export class ProofCheckError extends Error {
  constructor(
    readonly part: 'record' | 'proof' | 'checkpoint' | 'signature' | 'key',
    message: string,
  ) {
    super(message);
    this.name = 'ProofCheckError';
  }
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

export function fromBase64(text: string, part: ProofCheckError['part'], what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new ProofCheckError(part, `${what} is not standard base64`);
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function fromHex(text: string, part: ProofCheckError['part'], what: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(text)) throw new ProofCheckError(part, `${what} is not lower-case hex`);
  return Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** RFC 9162 leaf hash of seq g's log entry `"SCT1" ‖ u64(g) ‖ digest` (docs/DESIGN.md, SCT1). */
export async function recordLeafHash(seq: bigint, digest: Uint8Array): Promise<Uint8Array> {
  if (digest.length !== 32) throw new ProofCheckError('record', `a record digest is 32 bytes, got ${digest.length}`);
  const entry = new Uint8Array(44);
  entry.set(encoder.encode('SCT1'), 0);
  new DataView(entry.buffer).setBigUint64(4, seq);
  entry.set(digest, 12);
  return sha256(Uint8Array.of(0), entry);
}

/** The root an inclusion proof gives for leaf `index` of a tree of `size` (RFC 9162 §2.1.3.2). */
export async function rootFromInclusion(leaf: Uint8Array, index: bigint, size: bigint, proof: readonly Uint8Array[]): Promise<Uint8Array> {
  if (index < 0n || index >= size) throw new ProofCheckError('proof', `leaf index ${index} is outside a tree of size ${size}`);
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new ProofCheckError('proof', `a proof hash is 32 bytes, got ${p.length}`);
    if (sn === 0n) throw new ProofCheckError('proof', `the proof has ${proof.length} hashes: too many for leaf ${index} of ${size}`);
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofCheckError('proof', `the proof has ${proof.length} hashes: too few for leaf ${index} of ${size}`);
  return r;
}

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
}

/** A C2SP signed-note verifier key `<name>+<hex key id>+<base64(0x01 ‖ Ed25519 public key)>`. */
export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  // The base64 key may hold '+' itself: split at the first two only.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new ProofCheckError('key', 'a verifier key is <name>+<hex key id>+<base64 key>');
  const [name, idHex, b64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
  const id = fromHex(idHex, 'key', 'the key id');
  const key = fromBase64(b64, 'key', 'the key');
  if (id.length !== 4 || key.length !== 33 || key[0] !== 0x01) throw new ProofCheckError('key', 'not an Ed25519 verifier key (type 0x01, 32 bytes)');
  const want = (await sha256(encoder.encode(`${name}\n`), key)).subarray(0, 4);
  if (!equal(want, id)) throw new ProofCheckError('key', 'the key id does not match the name and key');
  return { name, keyId: id, publicKey: key.subarray(1) };
}

export interface Checkpoint {
  origin: string;
  size: bigint;
  root: Uint8Array;
}

/**
 * Opens a signed checkpoint with `key`: the note's text is a tlog-checkpoint, and one of its
 * signature lines is `— <key name> <base64(key id ‖ Ed25519 signature over the text)>` that
 * verifies. Other signatures (witnesses' cosignatures) are left alone.
 */
export async function openCheckpoint(note: string, key: VerifierKey): Promise<Checkpoint> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new ProofCheckError('checkpoint', 'a signed note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new ProofCheckError('checkpoint', 'a checkpoint has an origin, a size and a root hash');
  const [origin, size, root] = lines as [string, string, string];
  if (origin !== key.name)
    throw new ProofCheckError('checkpoint', `the checkpoint's origin ${JSON.stringify(origin)} is not the key's name ${JSON.stringify(key.name)}`);
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new ProofCheckError('checkpoint', 'the tree size is not a decimal');
  const rootHash = fromBase64(root, 'checkpoint', 'the root hash');
  if (rootHash.length !== 32) throw new ProofCheckError('checkpoint', 'the root hash is not 32 bytes');
  const publicKey = await crypto.subtle.importKey('raw', new Uint8Array(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== key.name) continue;
    const sig = fromBase64(m[2] as string, 'signature', 'a signature');
    if (sig.length !== 68 || !equal(sig.subarray(0, 4), key.keyId)) continue;
    if (await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, sig.slice(4), encoder.encode(text))) {
      return { origin, size: BigInt(size), root: rootHash };
    }
    throw new ProofCheckError('signature', `the signature of ${key.name} does not verify`);
  }
  throw new ProofCheckError('signature', `no signature of ${key.name} on the checkpoint`);
}

export interface InclusionInput {
  seq: string;
  /** The record's SCR1 digest, hex (as /v1/records/{seq} gives it). */
  digest: string;
  /** /v1/proofs/inclusion's answer. */
  proof: { seq: string; leafIndex: string; treeSize: string; proof: string[]; checkpoint: string | null };
  /** The verifier key the page trusts. */
  verifierKey: string;
}

export interface InclusionResult {
  treeSize: bigint;
  root: string;
}

/** digest → entry → leaf → inclusion → signed checkpoint; throws a ProofCheckError naming the failed part. */
export async function checkInclusion(input: InclusionInput): Promise<InclusionResult> {
  const seq = BigInt(input.seq);
  if (input.proof.seq !== input.seq || BigInt(input.proof.leafIndex) !== seq - 1n)
    throw new ProofCheckError('proof', `the proof is for seq ${input.proof.seq}, not ${input.seq}`);
  if (input.proof.checkpoint === null) throw new ProofCheckError('checkpoint', 'no signed checkpoint at the proof’s tree size');
  const key = await parseVerifierKey(input.verifierKey);
  const checkpoint = await openCheckpoint(input.proof.checkpoint, key);
  if (checkpoint.size !== BigInt(input.proof.treeSize))
    throw new ProofCheckError('proof', `the proof is for size ${input.proof.treeSize}, the checkpoint for ${checkpoint.size}`);
  const leaf = await recordLeafHash(seq, fromHex(input.digest, 'record', 'the digest'));
  const hashes = input.proof.proof.map((h) => fromBase64(h, 'proof', 'a proof hash'));
  const root = await rootFromInclusion(leaf, seq - 1n, checkpoint.size, hashes);
  if (!equal(root, checkpoint.root)) throw new ProofCheckError('proof', 'the proof does not lead to the checkpoint’s root');
  return { treeSize: checkpoint.size, root: toHex(root) };
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of size `first` (root `firstRoot`) to be a
 * prefix of the tree of size `second` (root `secondRoot`)? Throws a ProofCheckError('proof').
 */
export async function verifyConsistency(
  first: bigint,
  second: bigint,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): Promise<void> {
  if (first < 1n || first > second) throw new ProofCheckError('proof', `sizes ${first} → ${second}: the first must be at least 1 and not above the second`);
  for (const p of proof) if (p.length !== 32) throw new ProofCheckError('proof', `a proof hash is 32 bytes, got ${p.length}`);
  if (first === second) {
    if (proof.length !== 0) throw new ProofCheckError('proof', 'a proof between equal sizes is empty');
    if (!equal(firstRoot, secondRoot)) throw new ProofCheckError('proof', 'two different roots for the same size: a fork');
    return;
  }
  if (proof.length === 0) throw new ProofCheckError('proof', 'the proof is empty');
  const path = (first & (first - 1n)) === 0n ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new ProofCheckError('proof', `the proof has ${proof.length} hashes: too many for ${first} → ${second}`);
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await sha256(Uint8Array.of(1), c, fr);
      sr = await sha256(Uint8Array.of(1), c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await sha256(Uint8Array.of(1), sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new ProofCheckError('proof', `the proof has ${proof.length} hashes: too few for ${first} → ${second}`);
  if (!equal(fr, firstRoot)) throw new ProofCheckError('proof', `the proof does not lead to the root of size ${first}`);
  if (!equal(sr, secondRoot)) throw new ProofCheckError('proof', `the proof does not lead to the root of size ${second}`);
}

/** The signature lines of a signed note: key name and key id (hex) of each, the log's and any witness's. */
export function noteSignatures(note: string): { name: string; keyId: string }[] {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return [];
  const out: { name: string; keyId: string }[] = [];
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    try {
      out.push({ name: m[1] as string, keyId: toHex(fromBase64(m[2] as string, 'signature', 'a signature').subarray(0, 4)) });
    } catch {
      out.push({ name: m[1] as string, keyId: '(not base64)' });
    }
  }
  return out;
}
