import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadWitnessSigner } from '../../config/witness-key.js';
import { SeqchainError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { CosignatureSigner } from '../../tlog/cosignature.js';
import { isValidKeyName, type NoteVerifier, parseVerifierKey } from '../../tlog/note-key.js';
import { WitnessServer } from '../../witness/witness-server.js';

function usage(option: string, message: string): SeqchainError {
  return new SeqchainError('SEQCHAIN_ERR_USAGE', `${option} ${message}`, { details: { option } });
}

/** `host:port` or `[v6]:port`. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw usage('--listen', `${JSON.stringify(value)}: expected <host>:<port>, e.g. 127.0.0.1:7380 or [::1]:7380`);
  return { host: (m[1] ?? m[2])!, port };
}

/** The logs to cosign, by origin: each --log is a log's verifier key, whose key name is the origin (as seqchain's logs have it). */
export function logsFrom(keys: readonly string[]): Map<string, NoteVerifier[]> {
  if (keys.length === 0) throw usage('--log', 'is required: the verifier key of each log to cosign (<origin>+<id>+<base64>)');
  const logs = new Map<string, NoteVerifier[]>();
  for (const k of keys) {
    let v: NoteVerifier;
    try {
      v = parseVerifierKey(k);
    } catch (err) {
      throw usage('--log', `${(err as Error).message}`);
    }
    logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
  }
  return logs;
}

/**
 * `seqchain witness` and `seqchain witness-keygen` (docs/LOG.md, "Witness"): a C2SP tlog-witness
 * cosigning the checkpoints of the logs whose keys it is given, and its key pair.
 */
export function registerWitness(program: Command): void {
  program
    .command('witness')
    .description('run a C2SP tlog-witness: POST /add-checkpoint cosigns (tlog-cosignature/v1) checkpoints consistent with the last it cosigned')
    .requiredOption('--listen <host:port>', 'address to listen on, e.g. 127.0.0.1:7380')
    .requiredOption('--key-file <file>', 'the witness signer key (seqchain witness-keygen), mode 0600')
    .option(
      '--log <verifier key>',
      "a log to cosign: its verifier key <origin>+<id>+<base64>, named by its origin (repeat for more logs, or for a log's second key)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .requiredOption('--state-dir <dir>', 'directory of the latest cosigned checkpoint of each log (created 0700 when missing)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent', 'info')
    .action(async (opts: { listen: string; keyFile: string; log: string[]; stateDir: string; logLevel: string }) => {
      const { host, port } = parseListen(opts.listen);
      const logs = logsFrom(opts.log);
      const signer = loadWitnessSigner(opts.keyFile);
      const logger = createLogger({ level: opts.logLevel, name: 'seqchain-witness', format: 'json' });
      const server = new WitnessServer({ signer, logs, stateDir: opts.stateDir, logger });
      let url: string;
      try {
        url = await server.start(host, port);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
          throw usage('--listen', `${opts.listen}: cannot listen: ${(err as Error).message}`);
        throw err;
      }
      process.stdout.write(`witness ${signer.verifierKey} listening on ${url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'witness stopping');
          void server.close().then(resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      process.exit(0);
    });

  program
    .command('witness-keygen')
    .description("generate a witness's cosigning key (tlog-cosignature/v1, Ed25519): write it to --out (mode 0600) and print the verifier key")
    .requiredOption('--name <name>', 'the witness name, which is the key name, e.g. witness.example/w1')
    .requiredOption('--out <file>', 'the signer key file to create; an existing file is never overwritten')
    .action((opts: { name: string; out: string }) => {
      if (!isValidKeyName(opts.name)) throw usage('--name', `${JSON.stringify(opts.name)}: a key name is non-empty, without spaces or "+"`);
      const signer = CosignatureSigner.generate(opts.name);
      try {
        // 'wx': refuse an existing file (a witness's key is its identity); mode applies on creation.
        writeFileSync(opts.out, `${signer.format()}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        throw usage('--out', `${opts.out}: cannot create the key file: ${(err as Error).message}`);
      }
      process.stdout.write(`${signer.verifierKey}\n`);
    });
}
