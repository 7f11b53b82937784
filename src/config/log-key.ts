import { ConfigError } from '../errors.js';
import { NoteSigner, type NoteVerifier, parseVerifierKey } from '../tlog/note-key.js';
import { readPrivateFile } from './secret-file.js';
import type { LogViewSettings } from './settings.js';

/** What the log's keys depend on (the witness settings do not). */
type LogKeySettings = Omit<LogViewSettings, 'witnesses' | 'witnessIntervalMs'>;

/**
 * The leader's checkpoint signer from `logView.signingKeyFile`: null when the log view is off. A
 * replica with the log view on and no key file fails at start (every replica may lead); the file
 * is refused with loose permissions (./secret-file.ts), and errors name the file, never the key.
 */
export function loadLogSigner(settings: Readonly<LogKeySettings>): NoteSigner | null {
  if (!settings.enabled) return null;
  const key = 'logView.signingKeyFile';
  if (settings.signingKeyFile === undefined) {
    throw new ConfigError(
      `invalid configuration: ${key} is required when logView.enabled is true (a replica may lead, and a leader signs checkpoints): create one with "seqchain log-keygen --origin ${settings.origin ?? '<origin>'} --out <file>"`,
      { key },
    );
  }
  const file = settings.signingKeyFile;
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
  if (settings.verifierKey !== undefined && settings.verifierKey !== signer.verifierKey) {
    throw new ConfigError(`invalid configuration: ${key}: the key in ${file} is not the one logView.verifierKey names (${settings.verifierKey})`, {
      key,
      file,
    });
  }
  return signer;
}

/**
 * The key verifiers check checkpoint signatures under when none is pinned on the command line:
 * `logView.verifierKey`, else the public half of `logView.signingKeyFile` when this process may
 * read it; null when the configuration names neither. `source` says which, for the report.
 */
export function configuredVerifierKey(settings: Readonly<LogKeySettings>): { key: NoteVerifier; source: string } | null {
  if (settings.verifierKey !== undefined) return { key: parseVerifierKey(settings.verifierKey), source: 'logView.verifierKey' };
  if (settings.signingKeyFile !== undefined && settings.origin !== undefined) {
    const signer = loadLogSigner({ ...settings, enabled: true });
    return signer && { key: signer.verifier, source: 'logView.signingKeyFile' };
  }
  return null;
}
