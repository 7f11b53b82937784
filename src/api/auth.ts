import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { readSecretFile } from '../config/secret-file.js';
import { ConfigError, SeqchainError } from '../errors.js';

/** The ops token from `api.token`, else the first line of `api.tokenFile`; null when neither is set. */
export function loadOpsToken(api: Readonly<Config['api']>): string | null {
  if (api.token) return api.token;
  if (!api.tokenFile) return null;
  const token = readSecretFile('api.tokenFile', api.tokenFile);
  if (token.length < 16)
    throw new ConfigError(`invalid configuration: api.tokenFile: the token in ${api.tokenFile} is shorter than 16 characters`, { key: 'api.tokenFile' });
  return token;
}

/**
 * Checks an Authorization header against the token in constant time: both sides are hashed
 * first, so neither the comparison nor its length leaks how much of a guess was right.
 */
export function checkBearer(header: string | undefined, token: string | null): void {
  if (token === null) throw new SeqchainError('SEQCHAIN_ERR_UNAUTHORIZED', 'ops routes are closed: this replica has no api.token configured');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw new SeqchainError('SEQCHAIN_ERR_UNAUTHORIZED', 'missing bearer token: send Authorization: Bearer <token>');
  const given = createHash('sha256').update(match[1]!).digest();
  const expected = createHash('sha256').update(token).digest();
  if (!timingSafeEqual(given, expected)) throw new SeqchainError('SEQCHAIN_ERR_UNAUTHORIZED', 'wrong bearer token');
}
