import { ConfigError } from '../errors.js';
import { NoteSigner, type NoteVerifier, parseVerifierKey } from '../tlog/note-key.js';
import { readPrivateFile } from './secret-file.js';
import type { LogViewSettings } from './settings.js';

/** A setting that takes one value or, during a key rotation, several. */
function listOf<T>(value: T | readonly T[] | undefined): T[] {
  return value === undefined ? [] : ([] as T[]).concat(value);
}

/** What the log's keys depend on (the witness settings do not). */
type LogKeySettings = Omit<LogViewSettings, 'witnesses' | 'witnessIntervalMs'>;

/**
 * The leader's checkpoint signers from `logView.signingKeyFile`: null when the log view is off.
 * Several files during a key rotation: every checkpoint carries a signature by each (docs/LOG.md).
 * A replica with the log view on and no key file fails at start (every replica may lead); a file
 * is refused with loose permissions (./secret-file.ts), and errors name the file, never the key.
 */
export function loadLogSigners(settings: Readonly<LogKeySettings>): NoteSigner[] | null {
  if (!settings.enabled) return null;
  const key = 'logView.signingKeyFile';
  const files = listOf(settings.signingKeyFile);
  if (files.length === 0) {
    throw new ConfigError(
      `invalid configuration: ${key} is required when logView.enabled is true (a replica may lead, and a leader signs checkpoints): create one with "seqchain log-keygen --origin ${settings.origin ?? '<origin>'} --out <file>"`,
      { key },
    );
  }
  const verifierKeys = listOf(settings.verifierKey);
  const signers = files.map((file) => {
    let signer: NoteSigner;
    try {
      signer = NoteSigner.parse(readPrivateFile(key, file).split(/\r?\n/)[0]!);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`invalid configuration: ${key}: ${file} does not hold a signer key: ${(err as Error).message}`, { key, file });
    }
    if (signer.name !== settings.origin) {
      throw new ConfigError(
        `invalid configuration: ${key}: the key in ${file} is named ${JSON.stringify(signer.name)}, not logView.origin ${JSON.stringify(settings.origin)} (a log's key name is its origin)`,
        { key, file },
      );
    }
    if (verifierKeys.length > 0 && !verifierKeys.includes(signer.verifierKey)) {
      throw new ConfigError(`invalid configuration: ${key}: the key in ${file} is not one logView.verifierKey names (${verifierKeys.join(', ')})`, {
        key,
        file,
      });
    }
    return signer;
  });
  const ids = new Set(signers.map((s) => s.verifierKey));
  if (ids.size !== signers.length) throw new ConfigError(`invalid configuration: ${key} names the same key twice (${files.join(', ')})`, { key });
  return signers;
}

/**
 * The keys verifiers check checkpoint signatures under when none is pinned on the command line:
 * `logView.verifierKey`, else the public halves of `logView.signingKeyFile` when this process may
 * read them; null when the configuration names neither. `source` says which, for the report.
 */
export function configuredVerifierKeys(settings: Readonly<LogKeySettings>): { keys: NoteVerifier[]; source: string } | null {
  const verifierKeys = listOf(settings.verifierKey);
  if (verifierKeys.length > 0) return { keys: verifierKeys.map((k) => parseVerifierKey(k)), source: 'logView.verifierKey' };
  if (settings.signingKeyFile !== undefined && settings.origin !== undefined) {
    const signers = loadLogSigners({ ...settings, enabled: true });
    return signers && { keys: signers.map((s) => s.verifier), source: 'logView.signingKeyFile' };
  }
  return null;
}
