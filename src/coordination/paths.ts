import { ConfigError } from '../errors.js';

/**
 * The one place seqchain's znode paths are built (docs/DESIGN.md "ZooKeeper layout"):
 *
 *   <root>/<chain>/genesis            persistent, JSON (genesis-store.ts)
 *   <root>/<chain>/election/n_<seq>   ephemeral sequential, data = replica id (election.ts)
 *   <root>/<chain>/leader             ephemeral, JSON (leader.ts)
 *   <root>/<chain>/epoch              persistent, decimal string (epoch.ts)
 *   <root>/<chain>/counter            persistent, JSON (counter.ts)
 *   <root>/<chain>/members/<replica>  ephemeral, JSON (members.ts)
 *   <root>/<chain>/paused             persistent, JSON (pause.ts): present while paused
 *   <root>/<chain>/ordered-writer     ephemeral, JSON (ordered-lease.ts): who writes <chain>.ordered
 */
export interface ChainPaths {
  readonly root: string;
  readonly chain: string;
  readonly base: string;
  readonly genesis: string;
  readonly election: string;
  /** Prefix given to create() for the election's ephemeral-sequential nodes. */
  readonly electionPrefix: string;
  readonly leader: string;
  readonly epoch: string;
  readonly counter: string;
  readonly members: string;
  readonly paused: string;
  /** The ordered-writer lease: the replica writing `<chain>.ordered` and how far it got. */
  readonly orderedWriter: string;
  member(replicaId: string): string;
}

export const ELECTION_NODE_PREFIX = 'n_';

/**
 * A single znode name: non-empty, no '/', not '.' or '..', no control characters
 * (ZooKeeper rejects those). Throws ConfigError naming the value.
 */
export function validateZnodeName(kind: string, value: string): string {
  let problem: string | undefined;
  if (typeof value !== 'string') problem = 'must be a string';
  else if (value.length === 0) problem = 'must not be empty';
  else if (value.includes('/')) problem = "must not contain '/'";
  else if (value === '.' || value === '..') problem = "must not be '.' or '..'";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this check
  else if (/[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(value)) problem = 'must not contain control or reserved characters';
  if (problem !== undefined) {
    throw new ConfigError(`${kind} ${JSON.stringify(value)} ${problem}`, { [kind]: value });
  }
  return value;
}

/** An absolute path: starts with '/', no trailing '/' (except '/' itself), valid names between. */
export function validateRoot(root: string): string {
  if (typeof root !== 'string' || !root.startsWith('/')) {
    throw new ConfigError(`zookeeper root ${JSON.stringify(root)} must be an absolute path starting with '/'`, { root });
  }
  if (root === '/') return root;
  if (root.endsWith('/')) {
    throw new ConfigError(`zookeeper root ${JSON.stringify(root)} must not end with '/'`, { root });
  }
  for (const part of root.slice(1).split('/')) validateZnodeName('zookeeper root segment', part);
  return root;
}

export function chainPaths(root: string, chain: string): ChainPaths {
  validateRoot(root);
  validateZnodeName('chain', chain);
  const base = root === '/' ? `/${chain}` : `${root}/${chain}`;
  const election = `${base}/election`;
  const members = `${base}/members`;
  return Object.freeze({
    root,
    chain,
    base,
    genesis: `${base}/genesis`,
    election,
    electionPrefix: `${election}/${ELECTION_NODE_PREFIX}`,
    leader: `${base}/leader`,
    epoch: `${base}/epoch`,
    counter: `${base}/counter`,
    members,
    paused: `${base}/paused`,
    orderedWriter: `${base}/ordered-writer`,
    member(replicaId: string): string {
      return `${members}/${validateZnodeName('replicaId', replicaId)}`;
    },
  });
}
