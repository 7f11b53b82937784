/**
 * `seqchain witness`: a C2SP tlog-witness (https://c2sp.org/tlog-witness) over node:http.
 *
 *   POST /add-checkpoint          checks (./add-checkpoint-check.ts), persists, answers the
 *                                 tlog-cosignature/v1 line; 409 carries text/x.tlog.size
 *   GET  /<sha256(origin)>/checkpoint   the latest cosigned checkpoint of that log (the spec's
 *                                 monitoring route), 404 when none
 *
 * Requests for one origin are handled one at a time, from the size check to the persisted state:
 * otherwise two requests could both pass the check and the older one be stored last, rolling the
 * state back (the race the spec describes). Refusals answer text/plain "<CODE>: <message>\n".
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSeqchainError, SeqchainError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatCosignatureLines, formatTlogSize, TLOG_SIZE_TYPE } from '../tlog/add-checkpoint.js';
import type { CosignatureSigner } from '../tlog/cosignature.js';
import type { NoteVerifier } from '../tlog/note-key.js';
import { decodeNoteBytes, signatureLine } from '../tlog/signed-note.js';
import { checkAddCheckpoint, type WitnessedHead, witnessStatus } from './add-checkpoint-check.js';
import { originHash, type StoredWitnessHead, WitnessStateDir } from './state-dir.js';

/** A request body is an old-size line, at most 63 proof lines and a checkpoint of at most 100 signatures: far below this. */
const MAX_BODY_BYTES = 256 * 1024;

export interface WitnessServerOptions {
  signer: CosignatureSigner;
  /** The logs this witness cosigns: origin → the log's verifier keys. */
  logs: ReadonlyMap<string, readonly NoteVerifier[]>;
  stateDir: string;
  logger: Logger;
  /** POSIX seconds of the cosignature timestamp (tests pin it). */
  now?: () => number;
}

export class WitnessServer {
  readonly #opts: WitnessServerOptions;
  readonly #state: WitnessStateDir;
  #heads = new Map<string, StoredWitnessHead>();
  #byHash = new Map<string, string>();
  /** Per origin, the tail of the requests being handled one after the other. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #server: Server | null = null;
  #closing: Promise<void> | null = null;

  constructor(opts: WitnessServerOptions) {
    this.#opts = opts;
    this.#state = new WitnessStateDir(opts.stateDir);
  }

  get verifierKey(): string {
    return this.#opts.signer.verifierKey;
  }

  /** The latest cosigned head of `origin`, or null. */
  head(origin: string): WitnessedHead | null {
    const h = this.#heads.get(origin);
    return h ? { size: h.checkpoint.size, root: h.checkpoint.root } : null;
  }

  /** Reads the state directory, then listens; returns the base URL. */
  async start(host: string, port: number): Promise<string> {
    if (this.#server) throw new SeqchainError('SEQCHAIN_ERR_ALREADY_STARTED', 'the witness server is already started');
    this.#state.ensure();
    this.#heads = await this.#state.load();
    for (const origin of this.#heads.keys()) this.#byHash.set(originHash(origin), origin);
    const server = createServer((req, res) => void this.#handle(req, res));
    this.#server = server;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    const known = [...this.#heads.values()].map((h) => ({ origin: h.checkpoint.origin, size: h.checkpoint.size }));
    this.#opts.logger.info({ url, verifierKey: this.verifierKey, logs: [...this.#opts.logs.keys()], state: known }, 'witness listening');
    return url;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const server = this.#server;
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    return this.#closing;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    try {
      if (path === '/add-checkpoint') {
        if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'add-checkpoint takes POST\n', { allow: 'POST' });
        const body = await readBody(req);
        const lines = await this.#addCheckpoint(body);
        return send(res, 200, 'text/plain; charset=utf-8', lines);
      }
      const monitor = /^\/([0-9a-f]{64})\/checkpoint$/.exec(path);
      if (monitor && (req.method === 'GET' || req.method === 'HEAD')) {
        const origin = this.#byHash.get(monitor[1]!);
        const head = origin === undefined ? undefined : this.#heads.get(origin);
        if (!head) return send(res, 404, 'text/plain; charset=utf-8', 'this witness has cosigned no checkpoint of that log\n');
        return send(res, 200, 'text/plain; charset=utf-8', head.note);
      }
      return send(res, 404, 'text/plain; charset=utf-8', `no route ${req.method} ${path.slice(0, 100)}\n`);
    } catch (err) {
      const status = err instanceof BodyTooLarge ? 413 : witnessStatus(err);
      const log = this.#opts.logger;
      if (status === 409) {
        const { size } = (err as SeqchainError).details as { size: number };
        log.info({ details: (err as SeqchainError).details }, 'add-checkpoint: old size mismatch (409)');
        return send(res, 409, TLOG_SIZE_TYPE, formatTlogSize(size));
      }
      if (status === 500) log.error({ err }, 'add-checkpoint failed');
      // A bad signature or proof from a known log may be evidence of misbehaviour: keep it at warn.
      else
        log[status === 403 || status === 422 ? 'warn' : 'info'](
          { status, code: (err as SeqchainError).code, msg: (err as Error).message },
          'add-checkpoint refused',
        );
      const text = isSeqchainError(err) ? `${err.code}: ${err.message}` : `SEQCHAIN_ERR_UNEXPECTED: ${(err as Error).message}`;
      if (!res.headersSent) send(res, status, 'text/plain; charset=utf-8', `${text.replace(/\n/g, ' ')}\n`);
    }
  }

  /** Checks, persists and cosigns one request, after any earlier request for the same origin. */
  async #addCheckpoint(bytes: Buffer): Promise<string> {
    const body = decodeNoteBytes(bytes);
    // The origin is the checkpoint's first line; a malformed body is refused by the check itself.
    const at = body.indexOf('\n\n');
    const origin = at < 0 ? '' : body.slice(at + 2, body.indexOf('\n', at + 2) >>> 0);
    const prev = this.#queues.get(origin) ?? Promise.resolve();
    const run = prev.then(async () => {
      const accepted = checkAddCheckpoint(body, this.#opts.logs, (o) => this.head(o));
      const now = this.#opts.now?.() ?? Math.floor(Date.now() / 1000);
      const cosig = this.#opts.signer.cosign(accepted.text, now);
      // What the monitoring route serves: the text, the log signatures verified, then this witness's
      // (other witnesses' lines that came with the request are not this witness's to vouch for).
      const note = `${accepted.text}\n${[...accepted.logSignatures, cosig].map(signatureLine).join('')}`;
      await this.#state.save(accepted.origin, note);
      this.#heads.set(accepted.origin, { checkpoint: accepted.checkpoint, note });
      this.#byHash.set(originHash(accepted.origin), accepted.origin);
      this.#opts.logger.debug({ origin: accepted.origin, size: accepted.checkpoint.size }, 'cosigned');
      return formatCosignatureLines([cosig]);
    });
    const tail = run.catch(() => undefined);
    this.#queues.set(origin, tail);
    void tail.then(() => {
      if (this.#queues.get(origin) === tail) this.#queues.delete(origin);
    });
    return run;
  }
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) throw new BodyTooLarge(`the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
