/**
 * Pure verifiers that name the first broken link: one cut against the chain (`checkCut`), the
 * ledger on its own (`ChainVerifier`), the ledger against the source topic (`SourceMatcher`),
 * the genesis (`verifyGenesis`) and the ledger's genesis message (`checkGenesisMessage`).
 */
import { type Break, hex } from './breaks.js';
import { type GenesisParams, genesisHash } from './genesis.js';

export { type Break, type BreakKind, breakToError, hex } from './breaks.js';
export { ChainVerifier } from './chain-verifier.js';
export { type ChainHead, checkCut, type CutCheck, type CutRules, type CutView, type LedgerEntry } from './cut-check.js';
export { type ChainGenesisRef, checkGenesisMessage, genesisFieldsDiffering, type GenesisPosition } from './genesis-check.js';
export { type MatchEntry, SourceMatcher } from './source-matcher.js';

/** Recomputes h_0 from the genesis parameters and compares it with the stored genesis hash. */
export function verifyGenesis(params: GenesisParams, storedHash: Buffer): Break | null {
  const h0 = genesisHash(params);
  if (h0.equals(storedHash)) return null;
  return {
    kind: 'genesis',
    seq: 0n,
    expected: hex(h0),
    actual: hex(storedHash),
    message: `genesis of chain "${params.chainId}": stored hash differs from h_0 recomputed from its parameters`,
  };
}
