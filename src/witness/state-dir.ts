/**
 * The witness's state on disk: for each origin, the latest checkpoint it cosigned, as one file
 * `<state dir>/<hex SHA-256 of the origin>.checkpoint` holding the log's signed note with the
 * witness's cosignature appended (what `GET /<origin hash>/checkpoint` serves). A file is replaced
 * atomically (write a temporary file, fsync, rename, fsync the directory), so a crash leaves the
 * old state or the new one, never a torn file; the spec wants the state persisted before the
 * cosignature is returned.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../chain/sha256.js';
import { ConfigError } from '../errors.js';
import { type Checkpoint, parseCheckpoint } from '../tlog/checkpoint.js';
import { parseNote } from '../tlog/signed-note.js';

const SUFFIX = '.checkpoint';

export interface StoredWitnessHead {
  checkpoint: Checkpoint;
  /** The cosigned note, verbatim. */
  note: string;
}

export function originHash(origin: string): string {
  return sha256(Buffer.from(origin, 'utf8')).toString('hex');
}

export class WitnessStateDir {
  constructor(readonly dir: string) {}

  /** Creates the directory (mode 0700) when missing. */
  ensure(): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new ConfigError(`invalid configuration: --state-dir: cannot create ${this.dir}: ${(err as Error).message}`, { key: '--state-dir', dir: this.dir });
    }
  }

  /**
   * Every stored head, by origin. A file that does not parse, or whose origin is not the one its
   * name says, stops the witness at start: cosigning on from a state it cannot read could cosign a
   * rollback. Signatures are not checked again: the witness checked them before writing the file,
   * and a log key may since have been rotated out of the configuration.
   */
  async load(): Promise<Map<string, StoredWitnessHead>> {
    const out = new Map<string, StoredWitnessHead>();
    const names = await readdir(this.dir).catch((err: unknown) => {
      throw new ConfigError(`invalid configuration: --state-dir: cannot read ${this.dir}: ${(err as Error).message}`, { key: '--state-dir', dir: this.dir });
    });
    for (const name of names) {
      if (!name.endsWith(SUFFIX)) continue;
      const file = join(this.dir, name);
      try {
        const note = await readFile(file, 'utf8');
        const checkpoint = parseCheckpoint(parseNote(note).text);
        if (`${originHash(checkpoint.origin)}${SUFFIX}` !== name)
          throw new Error(`it holds origin ${JSON.stringify(checkpoint.origin)}, whose file name differs`);
        out.set(checkpoint.origin, { checkpoint, note });
      } catch (err) {
        throw new ConfigError(`invalid configuration: --state-dir: ${file} is not a stored checkpoint: ${(err as Error).message}`, {
          key: '--state-dir',
          file,
        });
      }
    }
    return out;
  }

  /** Replaces the stored head of `origin` with `note`, durably, before returning. */
  async save(origin: string, note: string): Promise<void> {
    const file = join(this.dir, `${originHash(origin)}${SUFFIX}`);
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(note, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    // The rename is durable only once the directory entry is.
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
