/**
 * The log's side of C2SP tlog-witness (docs/LOG.md, "Witnesses"): while this replica leads, it
 * submits the latest checkpoint the index holds to each configured witness, at most once per
 * interval per witness, with a consistency proof from the size that witness last cosigned, and
 * keeps the cosignatures that verify under the witness's key beside the checkpoint in Redis, so
 * that every replica's `/checkpoint` serves them.
 *
 * Nothing here is on a cut's path: submissions run on a timer, one request per witness at a time,
 * each bounded by a timeout; a witness that is down or slow only delays its own cosignatures.
 * The checkpoint comes from the index rather than from the sequencer because the proof does: the
 * index holds the tiles a consistency proof is read from.
 *
 * A witness's last cosigned size is not known at first: the first request says `old 0`, and the
 * witness's 409 answer gives the size to prove from (the spec allows exactly this).
 */
import type { Logger } from '../log.js';
import { formatAddCheckpoint, parseCosignatureLines, parseTlogSize, TLOG_SIZE_TYPE } from '../tlog/add-checkpoint.js';
import { parseCheckpoint } from '../tlog/checkpoint.js';
import { type CosignatureVerifier, parseCosignatureVerifierKey } from '../tlog/cosignature.js';
import { openNote, parseNote, signatureLine } from '../tlog/signed-note.js';

/** What the submitter needs of the log view's store (src/index-store/log-store.ts). */
export interface CosigningPort {
  latest(): Promise<{ size: number; root: Buffer; logNote: string } | null>;
  consistency(from: number, to: number): Promise<Buffer[]>;
  saveCosignatures(c: { size: number; root: Buffer; lines: string }): Promise<void>;
}

export interface WitnessSubmitterOptions {
  witnesses: readonly { url: string; verifierKey: string }[];
  intervalMs: number;
  port: CosigningPort;
  logger: Logger;
  /** One request's limit, ms. */
  timeoutMs?: number;
}

/** 409 answers followed in one submission before giving up until the next interval. */
const MAX_CONFLICTS = 3;
const DEFAULT_TIMEOUT_MS = 5_000;

interface Witness {
  readonly url: string;
  readonly verifier: CosignatureVerifier;
  /** The size this witness last cosigned, as far as this leader knows (null: not known yet, say 0). */
  knownSize: number | null;
  busy: boolean;
  lastAttempt: number;
  /** Its latest cosignature this term, for the checkpoint of that size and root. */
  cosigned: { size: number; root: Buffer; line: string } | null;
  /** Whether the last attempt failed (a failure is logged at warn once, then at debug until one succeeds). */
  failing: boolean;
}

interface Latest {
  size: number;
  root: Buffer;
  text: string;
  logNote: string;
}

export class WitnessSubmitter {
  readonly #opts: WitnessSubmitterOptions;
  readonly #witnesses: Witness[];
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;
  /** What this term last stored: never replaced by fewer cosignatures of the same checkpoint or by an older one. */
  #saved: { size: number; count: number } | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  /** Aborts this term's requests on stop: a new term never gets a late answer of the old one. */
  #term: AbortController | null = null;

  constructor(opts: WitnessSubmitterOptions) {
    this.#opts = opts;
    this.#witnesses = opts.witnesses.map((w) => ({
      url: `${w.url.replace(/\/+$/, '')}/add-checkpoint`,
      verifier: parseCosignatureVerifierKey(w.verifierKey),
      knownSize: null,
      busy: false,
      lastAttempt: 0,
      cosigned: null,
      failing: false,
    }));
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  /** Starts submitting (a new term): what earlier terms learnt of the witnesses is dropped, the 409 answers give it back. */
  start(): void {
    if (this.#timer || this.#witnesses.length === 0) return;
    for (const w of this.#witnesses) {
      w.knownSize = null;
      w.cosigned = null;
      w.lastAttempt = 0;
    }
    this.#saved = null;
    this.#term = new AbortController();
    const tickMs = Math.max(50, Math.min(this.#opts.intervalMs, 1_000) / 4);
    this.#timer = setInterval(() => void this.#tick(), tickMs);
    this.#timer.unref();
    this.#opts.logger.info({ witnesses: this.#witnesses.map((w) => w.verifier.name), intervalMs: this.#opts.intervalMs }, 'witness submissions started');
  }

  /** Stops the timer, aborts the requests in flight and waits for them to settle. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#term?.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #tick(): Promise<void> {
    if (this.#ticking || !this.#timer) return;
    this.#ticking = true;
    try {
      const now = Date.now();
      const due = this.#witnesses.filter((w) => !w.busy && now - w.lastAttempt >= this.#opts.intervalMs);
      if (due.length === 0) return;
      const latest = await this.#latest();
      if (!latest || !this.#timer) return;
      for (const w of due) {
        if (w.cosigned && w.cosigned.size === latest.size && w.cosigned.root.equals(latest.root)) continue;
        w.busy = true;
        w.lastAttempt = now;
        const p = this.#submit(w, latest).finally(() => {
          w.busy = false;
          this.#inFlight.delete(p);
        });
        this.#inFlight.add(p);
      }
    } catch (err) {
      this.#opts.logger.warn({ err }, 'witness submissions: cannot read the latest checkpoint from the index');
    } finally {
      this.#ticking = false;
    }
  }

  async #latest(): Promise<Latest | null> {
    const got = await this.#opts.port.latest();
    if (!got) return null;
    const { text } = parseNote(got.logNote);
    const cp = parseCheckpoint(text);
    return { size: cp.size, root: cp.root, text, logNote: got.logNote };
  }

  /** One submission: add-checkpoint, following up to MAX_CONFLICTS 409 answers. */
  async #submit(w: Witness, cp: Latest): Promise<void> {
    const term = this.#term!.signal;
    const log = this.#opts.logger.child({ witness: w.verifier.name, url: w.url, size: cp.size });
    try {
      for (let attempt = 0; attempt <= MAX_CONFLICTS; attempt++) {
        const oldSize = w.knownSize ?? 0;
        if (oldSize > cp.size) {
          // The witness cosigned a larger tree of this log (a later checkpoint of a previous term, which this index has not reached yet).
          log.info({ witnessSize: oldSize }, 'witness holds a larger checkpoint than the index: waiting for the index to catch up');
          return;
        }
        const proof = oldSize === 0 || oldSize === cp.size ? [] : await this.#opts.port.consistency(oldSize, cp.size);
        const res = await fetch(w.url, {
          method: 'POST',
          body: formatAddCheckpoint({ oldSize, proof, note: cp.logNote }),
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          signal: AbortSignal.any([term, AbortSignal.timeout(this.#opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)]),
        });
        const body = await res.text();
        if (term.aborted) return;
        if (res.status === 409 && (res.headers.get('content-type') ?? '').startsWith(TLOG_SIZE_TYPE)) {
          w.knownSize = parseTlogSize(body);
          log.info({ oldSize, witnessSize: w.knownSize }, 'witness answered 409: resubmitting from its size');
          continue;
        }
        if (res.status !== 200) {
          // 403/404/422: the witness does not take this log's checkpoints (its configuration, or a real inconsistency).
          const level = res.status === 422 ? 'error' : 'warn';
          log[level]({ status: res.status, answer: body.slice(0, 300).trim() }, 'witness refused the checkpoint');
          w.failing = true;
          return;
        }
        const line = this.#verifiedLine(w, cp, body);
        w.knownSize = cp.size;
        w.cosigned = { size: cp.size, root: cp.root, line };
        if (w.failing) log.info('witness cosigns again');
        w.failing = false;
        await this.#save(cp);
        return;
      }
      log.warn({ conflicts: MAX_CONFLICTS }, 'witness kept answering 409: trying again at the next interval');
    } catch (err) {
      if (term.aborted) return;
      // Down, slow, or an answer that does not verify: logged once at warn, then at debug until it works again.
      log[w.failing ? 'debug' : 'warn'](
        { err: (err as Error).message },
        'witness submission failed: the cut path is not affected; retrying at the next interval',
      );
      w.failing = true;
    }
  }

  /** The witness's cosignature line in a 200 answer, verified on the checkpoint under its key. */
  #verifiedLine(w: Witness, cp: Latest, body: string): string {
    const lines = parseCosignatureLines(body);
    const opened = openNote(`${cp.text}\n${lines.map(signatureLine).join('')}`, [w.verifier]);
    return signatureLine(opened.verified[0]!);
  }

  /** Stores the cosignatures this term has for `cp`, unless a later checkpoint's, or as many of this one's, are stored already. */
  async #save(cp: Latest): Promise<void> {
    const lines = this.#witnesses
      .map((w) => w.cosigned)
      .filter((c): c is NonNullable<typeof c> => c !== null && c.size === cp.size && c.root.equals(cp.root))
      .map((c) => c.line);
    const saved = this.#saved;
    if (saved && (saved.size > cp.size || (saved.size === cp.size && saved.count >= lines.length))) return;
    await this.#opts.port.saveCosignatures({ size: cp.size, root: cp.root, lines: lines.join('') });
    this.#saved = { size: cp.size, count: lines.length };
  }
}
