/**
 * The head file of `verify --head-file`: one line `<seq>:<hash hex>`, the last head a verifier
 * saw, kept the way a transparency-log client keeps the last tree head it checked.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { formatHead, parseHead, type KeptHead } from '../verify/kept-head.js';

/** The kept head, or null when the file does not exist yet (the first run starts keeping one). */
export async function readHeadFile(path: string): Promise<KeptHead | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseHead(text, `head file ${path}`);
}

/** Replaces the file in one step (write, then rename), so a crash never leaves half a head. */
export async function writeHeadFile(path: string, head: KeptHead): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${formatHead(head)}\n`, 'utf8');
  await rename(tmp, path);
}
