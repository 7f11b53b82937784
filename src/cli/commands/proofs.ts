import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ProofCheckError, SeqchainError } from '../../errors.js';
import { parseCheckpoint } from '../../tlog/checkpoint.js';
import { decodeBase64, parseVerifierKey, type NoteVerifier } from '../../tlog/note-key.js';
import { parseNote } from '../../tlog/signed-note.js';
import { formatTlogProof } from '../../tlog/tlog-proof.js';
import { checkRecordProof } from '../../verify/record-proof.js';
import { callApi, resolveApi } from '../api-client.js';
import { addSharedOptions, contextFrom, parseIntArg, parseSeqArg } from '../options.js';

const usage = (message: string, option: string) => new SeqchainError('SEQCHAIN_ERR_USAGE', message, { details: { option } });

interface InclusionAnswer {
  seq: string;
  leafIndex: string;
  treeSize: string;
  proof: string[];
  checkpoint: string | null;
}

/** Turns the inclusion route's answer into a tlog-proof, refusing an answer that does not hang together. */
function tlogProofText(a: InclusionAnswer, seq: bigint): string {
  const where = `the API's proof of seq ${seq}`;
  if (a.checkpoint === null) throw new SeqchainError('SEQCHAIN_ERR_NOT_FOUND', `${where} at size ${a.treeSize} has no signed checkpoint`);
  const text = parseNote(a.checkpoint).text;
  if (String(parseCheckpoint(text).size) !== a.treeSize)
    throw new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `${where}: the checkpoint's size is not the tree size ${a.treeSize}`);
  if (a.leafIndex !== String(seq - 1n)) throw new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `${where} is for leaf index ${a.leafIndex}`);
  const proof = a.proof.map((h, i) => {
    const b = decodeBase64(h);
    if (b === null) throw new SeqchainError('SEQCHAIN_ERR_UNEXPECTED', `${where}: hash ${i + 1} is not base64`);
    return b;
  });
  return formatTlogProof({ index: Number(a.leafIndex), proof, checkpoint: a.checkpoint });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function readInput(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw usage(`${option} ${file}: cannot read it: ${(err as Error).message}`, option);
  }
}

/**
 * `seqchain prove` and `seqchain check-proof` (docs/LOG.md "Offline proofs"): a record's
 * c2sp.org/tlog-proof@v1 file from a replica's API, and its check with no network.
 */
export function registerProofs(program: Command): void {
  addSharedOptions(
    program
      .command('prove')
      .description('print a c2sp.org/tlog-proof@v1 proof that record <seq> is in the log: inclusion proof and signed checkpoint, for check-proof')
      .argument('<seq>', 'global sequence number of the record', parseSeqArg('seq'))
      .option(
        '--size <n>',
        "tree size to prove against (default: the latest checkpoint's); a size no cut ended at has no checkpoint: the latest is used",
        parseIntArg('--size', 1),
      )
      .option('--out <file>', 'write the proof to this file instead of stdout')
      .option('--api <url>', 'a replica API (env SEQCHAIN_API_URL; default: found in ZooKeeper)'),
  ).action(async (seq: bigint, opts: { size?: number; out?: string; api?: string }) => {
    const { config, logger } = contextFrom(opts);
    const api = await resolveApi(config, logger, opts.api, 'any');
    const ask = (size?: number) =>
      callApi(api, 'GET', `/v1/proofs/inclusion?seq=${seq}${size === undefined ? '' : `&size=${size}`}`) as Promise<InclusionAnswer>;
    let answer = await ask(opts.size);
    if (answer.checkpoint === null) {
      // Only a size a cut ended at has a signed checkpoint; a proof needs one.
      answer = await ask();
      process.stderr.write(
        `seqchain: prove: no signed checkpoint at size ${opts.size} (no cut ended there): proving against the latest, size ${answer.treeSize}\n`,
      );
    }
    const text = tlogProofText(answer, seq);
    if (opts.out === undefined) {
      process.stdout.write(text);
      return;
    }
    try {
      writeFileSync(opts.out, text);
    } catch (err) {
      throw usage(`--out ${opts.out}: cannot write the proof: ${(err as Error).message}`, '--out');
    }
  });

  program
    .command('check-proof')
    .description(
      'check, with no network, that a record (a line of `seqchain tail --json`) is in the log: its digest, SCT1 entry and leaf, the inclusion proof, and the checkpoint signed by a pinned key. Exit 0 proven, 1 not proven (the failed part named), 2 usage',
    )
    .argument('<file>', 'the proof file (c2sp.org/tlog-proof@v1, as `seqchain prove` writes it)')
    .requiredOption('--key <verifier key>', "the log's verifier key <origin>+<key id>+<base64>; repeat it for every key of a rotation", collect)
    .requiredOption('--record <file>', 'the record: one JSON object as `seqchain tail --json` prints it')
    .option('--topic <name>', "the chain's source topic, which the record digest covers, for a record without a topic field (a tail --json line has one)")
    .option('--json', 'print the result as JSON', false)
    .action((file: string, opts: { key: string[]; record: string; topic?: string; json: boolean }) => {
      const keys: NoteVerifier[] = opts.key.map((k) => {
        try {
          return parseVerifierKey(k);
        } catch (err) {
          throw usage(`--key: ${(err as Error).message}`, '--key');
        }
      });
      const proof = readInput(file, '<file>');
      const record = readInput(opts.record, '--record').toString('utf8');
      let result: ReturnType<typeof checkRecordProof>;
      try {
        result = checkRecordProof({ proof, record, keys, ...(opts.topic !== undefined ? { topic: opts.topic } : {}) });
      } catch (err) {
        // A check that fails is the command's answer, not a usage error: exit 1, as a verify that finds a break.
        if (!(err instanceof ProofCheckError)) throw err;
        if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, part: err.part, code: err.code, message: err.message })}\n`);
        process.stderr.write(`seqchain: check-proof: ${err.code}: ${err.message}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify({
            ok: true,
            seq: result.seq.toString(),
            leafIndex: String(result.leafIndex),
            treeSize: String(result.treeSize),
            origin: result.origin,
            root: result.root.toString('base64'),
            digest: result.digest.toString('hex'),
            topic: result.topic,
            signedBy: result.signedBy,
          })}\n`,
        );
      } else {
        process.stdout.write(`ok: seq ${result.seq} is in ${result.origin} at tree size ${result.treeSize} (signed by ${result.signedBy.join(', ')})\n`);
      }
    });
}
