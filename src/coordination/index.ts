export * from './paths.js';
export * from './zk-session.js';
export * from './election.js';
export * from './epoch.js';
export * from './counter.js';
export * from './genesis-store.js';
export * from './leader.js';
export * from './members.js';
