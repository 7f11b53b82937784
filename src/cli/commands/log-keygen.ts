import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SeqchainError } from '../../errors.js';
import { isValidKeyName, NoteSigner } from '../../tlog/note-key.js';

/**
 * `seqchain log-keygen`: a new Ed25519 signing key for the log view (docs/LOG.md). The signer key
 * goes only to the file (mode 0600, never overwritten); the verifier key, public, is printed.
 */
export function registerLogKeygen(program: Command): void {
  program
    .command('log-keygen')
    .description("generate the log view's checkpoint signing key: write it to --out (mode 0600) and print the verifier key")
    .requiredOption('--origin <origin>', 'the checkpoint origin, which is the key name (logView.origin), e.g. example.com/payments')
    .requiredOption('--out <file>', 'the signing key file to create (logView.signingKeyFile); an existing file is never overwritten')
    .action((opts: { origin: string; out: string }) => {
      if (!isValidKeyName(opts.origin)) {
        throw new SeqchainError('SEQCHAIN_ERR_USAGE', `--origin ${JSON.stringify(opts.origin)}: a key name is non-empty, without spaces or "+"`, {
          details: { option: '--origin' },
        });
      }
      const signer = NoteSigner.generate(opts.origin);
      try {
        // 'wx': refuse an existing file (a key that signed checkpoints must not be lost); mode applies on creation.
        writeFileSync(opts.out, `${signer.format()}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        throw new SeqchainError('SEQCHAIN_ERR_USAGE', `--out ${opts.out}: cannot create the key file: ${(err as Error).message}`, {
          details: { option: '--out' },
        });
      }
      process.stdout.write(`${signer.verifierKey}\n`);
    });
}
