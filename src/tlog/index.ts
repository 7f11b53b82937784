/**
 * The log view's pure core: RFC 9162 tree over the global sequence, its border, proofs, and the
 * C2SP formats (signed-note, tlog-checkpoint, tlog-tiles, tlog-proof). No I/O. docs/LOG.md.
 */
export * from './hash.js';
export * from './size.js';
export * from './border.js';
export * from './proof.js';
export * from './tile-path.js';
export * from './tile-store.js';
export * from './tile-io.js';
export * from './entry-bundle.js';
export * from './note-key.js';
export * from './signed-note.js';
export * from './checkpoint.js';
export * from './tlog-proof.js';
export * from './audit.js';
export * from './cosignature.js';
export * from './add-checkpoint.js';
