import { type Keyring, parseKeyring } from '../seal/keyring.js';
import { readPrivateFile } from './secret-file.js';

/**
 * The keyring of sealed payloads from a key file (format: `parseKeyring`, docs/CONSUMING.md),
 * refused when group or others may read it. `key` names the setting or flag in errors
 * (`--seal-key-file`, `--key-file`); errors name the file and line, never a key.
 */
export function loadKeyring(file: string, key = 'keyFile'): Keyring {
  return parseKeyring(readPrivateFile(key, file), file);
}
