import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/**
 * The first line of a secret file (a mounted Kubernetes/Docker secret, a file written by the
 * stack script), trimmed. Read when the client that needs it is created, so a rotated secret is
 * picked up on the next connection. Errors name the key and the file, never the content.
 */
export function readSecretFile(key: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${key}: cannot read ${file}: ${(err as Error).message}`, { key });
  }
  const secret = text.split(/\r?\n/)[0]!.trim();
  if (secret === '') throw new ConfigError(`invalid configuration: ${key}: the first line of ${file} is empty`, { key });
  return secret;
}
