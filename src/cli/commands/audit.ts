import type { Command } from 'commander';
import { AuditFailedError, isSeqchainError, SeqchainError } from '../../errors.js';
import { type AuditVerdict, auditCheckpoint } from '../../tlog/audit.js';
import type { Checkpoint } from '../../tlog/checkpoint.js';
import { type NoteVerifier, parseVerifierKey } from '../../tlog/note-key.js';
import { callApi, getApiBytes, resolveApi } from '../api-client.js';
import { readCheckpointFile, writeCheckpointFile } from '../checkpoint-file.js';
import { addSharedOptions, contextFrom } from '../options.js';

function collectKey(value: string, previous: NoteVerifier[] = []): NoteVerifier[] {
  try {
    return [...previous, parseVerifierKey(value)];
  } catch (err) {
    if (!isSeqchainError(err)) throw err;
    throw new SeqchainError('SEQCHAIN_ERR_USAGE', `--key: ${err.message}`, { details: { option: '--key' } });
  }
}

function stateFileError(path: string, what: 'read' | 'write', err: unknown): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_USAGE', `--state-file ${path}: cannot ${what} it: ${(err as Error).message}`, {
    cause: err,
    details: { option: '--state-file' },
  });
}

const size = (cp: Checkpoint | null): string | null => (cp === null ? null : String(cp.size));

/** The one JSON object of `--json`: sizes as decimal strings like the rest of the CLI and API. */
function report(v: AuditVerdict, stateFile: string, api: string): Record<string, unknown> {
  const cp = v.latest ?? v.kept;
  return {
    ok: v.ok,
    verdict: v.verdict,
    trustOnFirstUse: v.verdict === 'trust-on-first-use',
    origin: cp?.origin ?? null,
    keptSize: size(v.kept),
    latestSize: size(v.latest),
    root: v.latest?.root.toString('base64') ?? null,
    stateFile,
    api,
    ...(v.ok ? { stateFileWritten: v.verdict !== 'unchanged' } : { stateFileWritten: false, message: v.message }),
  };
}

/**
 * `seqchain audit`: checks the log's latest signed checkpoint against the one kept in a state
 * file (signature under the pinned keys, same origin, no rollback, consistency proof), then keeps
 * the new one. A refusal leaves the file as it was. docs/LOG.md "Auditing the log".
 */
export function registerAudit(program: Command): void {
  addSharedOptions(
    program
      .command('audit')
      .description("check that the log's latest signed checkpoint extends the one kept in --state-file, then keep it (trust on first use)")
      .requiredOption('--state-file <file>', 'the last accepted checkpoint (the raw signed note); created on the first run, replaced only when the log passes')
      .requiredOption(
        '--key <verifier key>',
        "the log's verifier key <origin>+<id>+<base64>, pinned out of band; repeat it during a key rotation (either key's signature suffices)",
        collectKey,
      )
      .option('--api <url>', 'a replica API (env SEQCHAIN_API_URL; default: found in ZooKeeper)')
      .option('--json', 'print the result as one JSON object', false),
  ).action(async (opts) => {
    const stateFile = String(opts.stateFile);
    const keys = opts.key as NoteVerifier[];
    const { config, logger } = contextFrom(opts);
    // Read before fetching: a state file that cannot be read stops the audit before any network call.
    const kept = await readCheckpointFile(stateFile).catch((err: unknown) => {
      throw stateFileError(stateFile, 'read', err);
    });
    const api = await resolveApi(config, logger, opts.api as string | undefined, 'any');
    const latest = await getApiBytes(api, '/checkpoint');
    let verdict = auditCheckpoint({ keys, kept, latest });
    if (verdict.ok === null) {
      const proof = await callApi(api, 'GET', `/v1/proofs/consistency?from=${verdict.from}&to=${verdict.to}`);
      verdict = auditCheckpoint({ keys, kept, latest, proof });
    }
    if (verdict.ok === null) throw new SeqchainError('SEQCHAIN_ERR_USAGE', 'audit: the decision asked for a proof twice');

    if (verdict.ok && verdict.verdict !== 'unchanged') {
      await writeCheckpointFile(stateFile, latest).catch((err: unknown) => {
        throw stateFileError(stateFile, 'write', err);
      });
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(report(verdict, stateFile, api))}\n`);
    if (!verdict.ok) {
      throw new AuditFailedError(
        `${verdict.verdict}: ${verdict.message}; ${stateFile} left as it was`,
        { verdict: verdict.verdict, stateFile, keptSize: size(verdict.kept), latestSize: size(verdict.latest) },
        verdict.cause,
      );
    }
    const { latest: cp } = verdict;
    if (verdict.verdict === 'trust-on-first-use') {
      process.stderr.write(
        `seqchain audit: no state file at ${stateFile}: trusting the log's checkpoint (size ${cp.size}) on first use; later audits check the log against it\n`,
      );
    }
    if (!opts.json) {
      const change =
        verdict.verdict === 'trust-on-first-use'
          ? `none → ${cp.size} (trust on first use, kept)`
          : verdict.verdict === 'unchanged'
            ? `${cp.size} → ${cp.size} (unchanged)`
            : `${verdict.kept!.size} → ${cp.size} (consistent, kept)`;
      process.stdout.write(`audit ok: ${cp.origin} size ${change}\n`);
    }
  });
}
