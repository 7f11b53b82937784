import { ConfigError } from '../errors.js';
import { CosignatureSigner } from '../tlog/cosignature.js';
import { readPrivateFile } from './secret-file.js';

/**
 * A witness's cosigning key from its key file (`seqchain witness-keygen`), refused when group or
 * others may access the file (./secret-file.ts). Errors name the flag and the file, never the key.
 */
export function loadWitnessSigner(file: string, key = '--key-file'): CosignatureSigner {
  const text = readPrivateFile(key, file);
  try {
    return CosignatureSigner.parse(text.split(/\r?\n/)[0]!);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${key}: ${file} does not hold a witness signer key: ${(err as Error).message}`, { key, file });
  }
}
