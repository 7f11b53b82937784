/**
 * The Lua scripts of the query index, one constant each. A script's name carries its KEYS count
 * ("+n": a variable number of data keys after the fixed ones) and its text opens with its
 * contract. Every script that writes first checks, atomically, that `meta` still names the
 * incarnation the caller built its keys for: a reset or a foreign index can never be written into.
 *
 * Numbers: Lua numbers are doubles, exact up to 2^53; seqs and ledger offsets stay far below.
 * Hashes in `meta` are lower-case hex.
 */

export interface IndexScript {
  /** ioredis command name (defineCommand). */
  readonly command: string;
  /** Fixed KEYS count, or null when the caller passes numkeys (variable KEYS). */
  readonly keys: number | null;
  readonly lua: string;
}

/** attach-1: find or create the index of one genesis. */
export const ATTACH: IndexScript = {
  command: 'seqchainIndexAttach',
  keys: 1,
  lua: `
--[[ attach-1
KEYS[1] meta
ARGV[1] new incarnation id, ARGV[2] genesis hash (hex), ARGV[3] layout, ARGV[4] now (ms)
Returns {0, inc}                 an index of this genesis and layout exists
        {1, inc, genesis, layout} an index of another genesis or layout exists: left untouched
        {2, inc}                 none existed: created empty (head = genesis, ledgerOffset -1)
]]
local m = redis.call('HMGET', KEYS[1], 'inc', 'genesis', 'layout')
if m[1] then
  if m[2] == ARGV[2] and m[3] == ARGV[3] then return {0, m[1]} end
  return {1, m[1], m[2] or '', m[3] or ''}
end
redis.call('HSET', KEYS[1], 'inc', ARGV[1], 'genesis', ARGV[2], 'layout', ARGV[3], 'seq', '0', 'hash', ARGV[2],
  'epoch', '0', 'cutId', '0', 'ledgerOffset', '-1', 'updatedAtMs', ARGV[4], 'border', '')
return {2, ARGV[1]}
`,
};

/** reset-1: switch to a new, empty incarnation (the old one's keys become garbage for the sweep). */
export const RESET: IndexScript = {
  command: 'seqchainIndexReset',
  keys: 1,
  lua: `
--[[ reset-1
KEYS[1] meta
ARGV[1] new incarnation id, ARGV[2] genesis hash (hex), ARGV[3] layout, ARGV[4] now (ms)
Returns the previous incarnation id, or false when there was none.
]]
local old = redis.call('HGET', KEYS[1], 'inc')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'inc', ARGV[1], 'genesis', ARGV[2], 'layout', ARGV[3], 'seq', '0', 'hash', ARGV[2],
  'epoch', '0', 'cutId', '0', 'ledgerOffset', '-1', 'updatedAtMs', ARGV[4], 'border', '')
return old
`,
};

/** Result codes of the apply scripts. */
export const APPLIED = 0;
export const ALREADY_APPLIED = 1;
export const NOT_FOLLOWING = 2;
export const STALE_INCARNATION = 3;

/** applyGenesis-1: record that the ledger's genesis message (seq 0) is indexed. */
export const APPLY_GENESIS: IndexScript = {
  command: 'seqchainIndexApplyGenesis',
  keys: 1,
  lua: `
--[[ applyGenesis-1
KEYS[1] meta
ARGV[1] incarnation, ARGV[2] ledger offset of the genesis message, ARGV[3] genesis hash (hex), ARGV[4] now (ms)
Returns {code, headSeq, headLedgerOffset}: 0 applied, 1 already applied (offset at or below the
head), 2 the head is not the bare genesis, 3 meta names another incarnation (or none)
]]
local m = redis.call('HMGET', KEYS[1], 'inc', 'seq', 'hash', 'ledgerOffset')
if m[1] ~= ARGV[1] then return {3} end
if tonumber(ARGV[2]) <= tonumber(m[4]) then return {1, m[2], m[4]} end
if m[2] ~= '0' or m[3] ~= ARGV[3] then return {2, m[2], m[4]} end
redis.call('HSET', KEYS[1], 'ledgerOffset', ARGV[2], 'updatedAtMs', ARGV[4])
return {0, m[2], ARGV[2]}
`,
};

/**
 * applyCut-3+n: one cut, atomically, only if it follows the head; idempotent by ledger offset. The
 * log view's tiles, border and checkpoint move in the same step as the head, so a reader never
 * sees a checkpoint whose tiles are not all there, and a slower writer can never move them back.
 */
export const APPLY_CUT: IndexScript = {
  command: 'seqchainIndexApplyCut',
  keys: null,
  lua: `
--[[ applyCut-3+n
KEYS[1] meta, KEYS[2] digest overflow hash, KEYS[3] checkpoints hash (size → note), then the data
keys in the order of the ARGV groups below
ARGV[1] incarnation      ARGV[2] ledger offset    ARGV[3] firstSeq   ARGV[4] prevHash (hex)
ARGV[5] lastSeq          ARGV[6] headHash (hex)   ARGV[7] epoch      ARGV[8] cutId
ARGV[9] now (ms)         ARGV[10] bucket bytes    ARGV[11], ARGV[12] digest field: 1-based first and last byte
ARGV[13] S entry runs    ARGV[14] P position buckets    ARGV[15] D digests
ARGV[16] T tile writes   ARGV[17] tree border after the cut (hex)   ARGV[18] signed checkpoint note ('' when none)
ARGV[19] tile key bytes
then S × (byte offset, packed entries)           keys: S entry buckets (created zero-filled at full size)
     P × (n, n × (field, seq))                    keys: P position buckets
     D × (digest (32 bytes), seq)                 keys: D digest buckets
     T × (byte offset, hashes)                    keys: T tile keys (created zero-filled at full size)
Returns {code, headSeq, headLedgerOffset}: 0 applied, 1 already applied (offset at or below the
head), 2 does not follow the head (firstSeq or prevHash), 3 meta names another incarnation (or none)
]]
local m = redis.call('HMGET', KEYS[1], 'inc', 'seq', 'hash', 'ledgerOffset')
if m[1] ~= ARGV[1] then return {3} end
if tonumber(ARGV[2]) <= tonumber(m[4]) then return {1, m[2], m[4]} end
if tonumber(ARGV[3]) ~= tonumber(m[2]) + 1 or ARGV[4] ~= m[3] then return {2, m[2], m[4]} end
local k = 4
local a = 20
local size = tonumber(ARGV[10])
local ff = tonumber(ARGV[11])
local ft = tonumber(ARGV[12])
for _ = 1, tonumber(ARGV[13]) do
  local key = KEYS[k]
  if redis.call('EXISTS', key) == 0 then redis.call('SETRANGE', key, size - 1, '\\0') end
  redis.call('SETRANGE', key, ARGV[a], ARGV[a + 1])
  k = k + 1
  a = a + 2
end
for _ = 1, tonumber(ARGV[14]) do
  local n = tonumber(ARGV[a])
  local args = {}
  for j = 1, 2 * n do args[j] = ARGV[a + j] end
  redis.call('HSET', KEYS[k], unpack(args))
  k = k + 1
  a = a + 1 + 2 * n
end
for _ = 1, tonumber(ARGV[15]) do
  local d = ARGV[a]
  local seq = ARGV[a + 1]
  local field = string.sub(d, ff, ft)
  if redis.call('HSETNX', KEYS[k], field, seq) == 0 and redis.call('HGET', KEYS[k], field) ~= seq then
    redis.call('HSET', KEYS[2], d, seq)
  end
  k = k + 1
  a = a + 2
end
local tsize = tonumber(ARGV[19])
for _ = 1, tonumber(ARGV[16]) do
  if redis.call('EXISTS', KEYS[k]) == 0 then redis.call('SETRANGE', KEYS[k], tsize - 1, '\\0') end
  redis.call('SETRANGE', KEYS[k], ARGV[a], ARGV[a + 1])
  k = k + 1
  a = a + 2
end
redis.call('HSET', KEYS[1], 'seq', ARGV[5], 'hash', ARGV[6], 'epoch', ARGV[7], 'cutId', ARGV[8],
  'ledgerOffset', ARGV[2], 'updatedAtMs', ARGV[9], 'border', ARGV[17])
if ARGV[18] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[5], ARGV[18])
  redis.call('HSET', KEYS[1], 'checkpoint', ARGV[18])
end
return {0, ARGV[5], ARGV[2]}
`,
};

/** sweep-1+n: delete the keys (from a SCAN) that belong to an incarnation other than meta's. */
export const SWEEP: IndexScript = {
  command: 'seqchainIndexSweep',
  keys: null,
  lua: `
--[[ sweep-1+n
KEYS[1] meta, KEYS[2..] candidate keys of this chain (from SCAN <prefix>:<chain>:*)
ARGV[1] length of "<prefix>:<chain>:"
Unlinks every candidate of the form <prefix>:<chain>:<inc>:… whose <inc> is not meta's current
incarnation (all of them when there is no meta). Returns how many keys were unlinked.
]]
local cur = redis.call('HGET', KEYS[1], 'inc')
local skip = tonumber(ARGV[1])
local n = 0
for i = 2, #KEYS do
  local inc = string.match(string.sub(KEYS[i], skip + 1), '^([^:]+):')
  if inc and inc ~= cur then
    redis.call('UNLINK', KEYS[i])
    n = n + 1
  end
end
return n
`,
};

/** leaseRenew-1: extend the index lease (./index-lease.ts) only while this owner holds it. */
export const LEASE_RENEW: IndexScript = {
  command: 'seqchainIndexLeaseRenew',
  keys: 1,
  lua: `
--[[ leaseRenew-1
KEYS[1] lease
ARGV[1] owner (replica id), ARGV[2] time to live (ms)
Returns 1 when the lease was this owner's and now lives ARGV[2] ms more, 0 when it is not its own
(it expired, and maybe another replica took it).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
};

/** leaseRelease-1: give the index lease up only if this owner holds it. */
export const LEASE_RELEASE: IndexScript = {
  command: 'seqchainIndexLeaseRelease',
  keys: 1,
  lua: `
--[[ leaseRelease-1
KEYS[1] lease
ARGV[1] owner (replica id)
Returns 1 when the lease was this owner's and is deleted, 0 when it held nothing to release.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};

export const INDEX_SCRIPTS: readonly IndexScript[] = [ATTACH, RESET, APPLY_GENESIS, APPLY_CUT, SWEEP, LEASE_RENEW, LEASE_RELEASE];
