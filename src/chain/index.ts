/** The pure chain core: formats SCR1 (record digest), SCG1 (genesis), SCL1 (link), and verifiers. */
export * from './bytes.js';
export * from './record-digest.js';
export * from './genesis.js';
export * from './link.js';
export * from './verify.js';
