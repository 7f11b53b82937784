#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { type ErrorCode, isSeqchainError } from '../errors.js';
import { fromKafkaError } from '../kafka/errors.js';
import { registerAudit } from './commands/audit.js';
import { registerInit } from './commands/init.js';
import { registerLogKeygen } from './commands/log-keygen.js';
import { registerOperations } from './commands/operations.js';
import { registerProduce } from './commands/produce-command.js';
import { registerProofs } from './commands/proofs.js';
import { registerQueries } from './commands/query.js';
import { registerReindex } from './commands/reindex.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerTail } from './commands/tail.js';
import { registerVerify } from './commands/verify.js';
import { registerWitness } from './commands/witness.js';

/** Exit 1: what was checked does not hold (the chain, or the log under audit); 2: every other error. */
const EXIT_1: ReadonlySet<ErrorCode> = new Set(['SEQCHAIN_ERR_CHAIN_BROKEN', 'SEQCHAIN_ERR_AUDIT_FAILED']);

const program = new Command('seqchain')
  .description('One global order and one SHA-256 hash chain over the partitions of a Kafka topic')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerInit(program);
registerRun(program);
registerProduce(program);
registerVerify(program);
registerTail(program);
registerStatus(program);
registerReindex(program);
registerQueries(program);
registerOperations(program);
registerLogKeygen(program);
registerAudit(program);
registerProofs(program);
registerWitness(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed its message (naming the option) and the help; a usage error exits 2 like
  // SEQCHAIN_ERR_USAGE, so that 1 keeps meaning "the chain is broken". --help and --version exit 0.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  // One clear line for the user; the code says which kind of problem it is.
  const error = fromKafkaError(err);
  const code = isSeqchainError(error) ? error.code : 'SEQCHAIN_ERR_UNEXPECTED';
  process.stderr.write(`seqchain: ${code}: ${(error as Error).message}\n`);
  if (process.env.SEQCHAIN_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(isSeqchainError(error) && EXIT_1.has(error.code) ? 1 : 2);
}
