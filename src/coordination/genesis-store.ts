import { genesisHash } from '../chain/genesis.js';
import { MalformedMessageError, SeqchainError } from '../errors.js';
import { parseVerifierKey } from '../tlog/note-key.js';
import type { ChainPaths } from './paths.js';
import { isZkError, type ZkSession } from './zk-session.js';
import { encodeJson, ZnodeJsonReader } from './znode-json.js';

/**
 * The genesis znode, JSON version 1 (bigints as decimal strings, bytes as lowercase hex):
 *
 *   {"version":1,"chainId":"c","topic":"src","partitions":3,"start":["0","0","5"],
 *    "createdAtMs":"1700000000000","nonce":"<32 hex>","hash":"<64 hex>","startMode":"earliest",
 *    "ledgerTopic":"c.ledger","digestTopic":"c.digests"}
 *
 * and, for a chain created with the log view on, `"logVerifierKey":"<origin>+<id>+<base64>"`:
 * the key its checkpoints are signed with, not hashed (SCG1 is frozen), a convenience that
 * verifiers may fall back to, saying so (docs/LOG.md).
 *
 * `hash` must equal the SCG1 genesis hash of (chainId, topic, start, createdAtMs, nonce): the
 * decoder recomputes it, so a tampered genesis znode is refused.
 */
export const GENESIS_ZNODE_FORMAT = 'genesis znode v1';

export type StartMode = 'earliest' | 'latest';

export interface GenesisRecord {
  version: 1;
  chainId: string;
  topic: string;
  partitions: number;
  start: bigint[];
  createdAtMs: bigint;
  nonce: Buffer;
  hash: Buffer;
  startMode: StartMode;
  ledgerTopic: string;
  digestTopic: string;
  /** The log's verifier key, when the chain was created with the log view on (not hashed: a convenience). */
  logVerifierKey?: string;
}

const MAX_PARTITIONS = 100_000;

export function encodeGenesis(g: GenesisRecord): Buffer {
  // validate by round trip: never write what readGenesis would refuse
  const data = encodeJson({
    version: 1,
    chainId: g.chainId,
    topic: g.topic,
    partitions: g.partitions,
    start: g.start.map((s) => s.toString(10)),
    createdAtMs: g.createdAtMs.toString(10),
    nonce: g.nonce.toString('hex'),
    hash: g.hash.toString('hex'),
    startMode: g.startMode,
    ledgerTopic: g.ledgerTopic,
    digestTopic: g.digestTopic,
    ...(g.logVerifierKey === undefined ? {} : { logVerifierKey: g.logVerifierKey }),
  });
  decodeGenesis(data);
  return data;
}

export function decodeGenesis(data: Buffer, path?: string): GenesisRecord {
  const g = decodeGenesisUnchecked(data, path);
  let expected: Buffer;
  try {
    expected = genesisHash(g);
  } catch (err) {
    throw new MalformedMessageError(GENESIS_ZNODE_FORMAT, `fields do not form a genesis: ${(err as Error).message}`, {
      field: 'hash',
      ...(path ? { path } : {}),
    });
  }
  if (!expected.equals(g.hash)) {
    throw new MalformedMessageError(
      GENESIS_ZNODE_FORMAT,
      `field hash is ${g.hash.toString('hex')}, but the genesis fields hash to ${expected.toString('hex')}`,
      { field: 'hash', ...(path ? { path } : {}) },
    );
  }
  return g;
}

/**
 * The genesis znode's fields as stored, without checking that `hash` is their genesis hash: for
 * `verify`, which reports a mismatch as a 'genesis' break rather than refusing to start.
 */
export function decodeGenesisUnchecked(data: Buffer, path?: string): GenesisRecord {
  const r = ZnodeJsonReader.parse(GENESIS_ZNODE_FORMAT, data, path);
  r.version(1, 'version');
  const chainId = r.string('chainId', { nonEmpty: true });
  const topic = r.string('topic', { nonEmpty: true });
  const partitions = r.int('partitions', 1, MAX_PARTITIONS);
  const start = r.decimalArray('start', 0n);
  if (start.length !== partitions) r.fail('start', `has ${start.length} entries, expected partitions = ${partitions}`);
  const createdAtMs = r.decimal('createdAtMs', 0n);
  const nonce = r.hex('nonce', 16);
  const hash = r.hex('hash', 32);
  const startMode = r.oneOf('startMode', ['earliest', 'latest'] as const);
  const ledgerTopic = r.string('ledgerTopic', { nonEmpty: true });
  const digestTopic = r.string('digestTopic', { nonEmpty: true });
  const genesis: GenesisRecord = { version: 1, chainId, topic, partitions, start, createdAtMs, nonce, hash, startMode, ledgerTopic, digestTopic };
  if (r.has('logVerifierKey')) {
    const key = r.string('logVerifierKey');
    try {
      parseVerifierKey(key);
    } catch (err) {
      r.fail('logVerifierKey', `is not a verifier key: ${(err as Error).message}`);
    }
    genesis.logVerifierKey = key;
  }
  return genesis;
}

/**
 * Writes the genesis of a new chain. Refuses with SEQCHAIN_ERR_CHAIN_EXISTS when the chain has a
 * genesis already, unless `force`: then the old chain's genesis, epoch and counter are deleted and
 * the new genesis written in one ZooKeeper transaction.
 */
export async function writeGenesis(session: ZkSession, paths: ChainPaths, genesis: GenesisRecord, options: { force?: boolean } = {}): Promise<void> {
  const data = encodeGenesis(genesis);
  await session.mkdirp(paths.base);
  if (!options.force) {
    try {
      await session.create(paths.genesis, data, 'persistent');
      return;
    } catch (err) {
      if (isZkError(err, 'NODE_EXISTS')) throw chainExists(paths, err);
      throw err;
    }
  }
  for (let attempt = 1; ; attempt++) {
    const tx = session.transaction();
    for (const path of [paths.genesis, paths.epoch, paths.counter]) {
      const stat = await session.exists(path);
      if (stat !== null) tx.remove(path, stat.version);
    }
    tx.create(paths.genesis, data, 'persistent');
    try {
      await tx.commit();
      session.logger.warn({ path: paths.genesis, chainId: genesis.chainId, replaced: tx.size > 1 }, 'genesis written with force');
      return;
    } catch (err) {
      const raced = isZkError(err, 'BAD_VERSION') || isZkError(err, 'NO_NODE') || isZkError(err, 'NODE_EXISTS');
      if (!raced || attempt >= 5) throw err;
    }
  }
}

function chainExists(paths: ChainPaths, cause: unknown): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_CHAIN_EXISTS', `chain ${paths.chain} already has a genesis at ${paths.genesis} (use --force to replace it)`, {
    details: { chain: paths.chain, path: paths.genesis },
    cause,
  });
}

/** The chain's genesis; SEQCHAIN_ERR_CHAIN_NOT_FOUND naming the path when there is none. */
export async function readGenesis(session: ZkSession, paths: ChainPaths, options: { checkHash?: boolean } = {}): Promise<GenesisRecord> {
  const got = await session.getData(paths.genesis);
  if (got === null) {
    throw new SeqchainError('SEQCHAIN_ERR_CHAIN_NOT_FOUND', `chain ${paths.chain} has no genesis at ${paths.genesis} (run init first)`, {
      details: { chain: paths.chain, path: paths.genesis },
    });
  }
  return options.checkHash === false ? decodeGenesisUnchecked(got.data, paths.genesis) : decodeGenesis(got.data, paths.genesis);
}
