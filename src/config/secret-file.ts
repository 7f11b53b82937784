import { readFileSync, statSync } from 'node:fs';
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

/**
 * Refuses a private file that others may read or change, with PostgreSQL's rule for private key
 * files: owned by this process's user, no access for group or others (0600 or stricter); owned by
 * root, group read at most (0640: a Kubernetes secret volume with `defaultMode: 0440` and an
 * fsGroup). A symlink is judged by its target (secret volumes are symlinks). Not on Windows,
 * which has no such mode bits.
 */
export function checkPrivateFileMode(key: string, file: string): void {
  if (process.platform === 'win32') return;
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${key}: cannot read ${file}: ${(err as Error).message}`, { key, file });
  }
  if (!st.isFile()) throw new ConfigError(`invalid configuration: ${key}: ${file} is not a regular file`, { key, file });
  const mode = Number(st.mode) & 0o777;
  const uid = process.getuid?.();
  const byRoot = Number(st.uid) === 0;
  if (!byRoot && uid !== undefined && Number(st.uid) !== uid)
    throw new ConfigError(`invalid configuration: ${key}: ${file} belongs to another user (uid ${st.uid}); it must be this user's or root's`, { key, file });
  const loose = mode & (byRoot && uid !== 0 ? 0o037 : 0o077);
  if (loose !== 0) {
    const allowed = byRoot && uid !== 0 ? '0640' : '0600';
    throw new ConfigError(
      `invalid configuration: ${key}: ${file} has loose permissions (mode 0${mode.toString(8).padStart(3, '0')}): group or others may access it; chmod ${allowed} ${file} or stricter`,
      { key, file, mode: `0${mode.toString(8)}` },
    );
  }
}

/** The whole text of a private file (key material), refused when its permissions are loose (see checkPrivateFileMode). */
export function readPrivateFile(key: string, file: string): string {
  checkPrivateFileMode(key, file);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${key}: cannot read ${file}: ${(err as Error).message}`, { key, file });
  }
}
