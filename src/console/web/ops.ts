import { ApiError, getJson, postOps } from './api.js';
import { fill, h } from './dom.js';

/** The ops token of this page's session: a variable, never local storage, never a URL. */
let token = '';

/** Pause, resume, resign and reindex behind the ops token (sent as the bearer header). */
export function operations(root: HTMLElement): () => void {
  const controller = new AbortController();
  const tokenInput = h('input', { id: 'ops-token', type: 'password', autocomplete: 'off', spellcheck: 'false', value: token });
  tokenInput.addEventListener('input', () => {
    token = tokenInput.value;
  });
  const reason = h('input', { id: 'ops-reason', type: 'text', value: 'from the console' });
  const result = h('pre', { role: 'status', 'data-testid': 'ops-result', class: 'result' });
  const call = (path: string, body?: unknown) => async () => {
    result.textContent = '…';
    try {
      result.textContent = JSON.stringify(await postOps(path, token, body), null, 2);
      result.className = 'result ok';
    } catch (err) {
      result.className = 'result failed';
      result.textContent = err instanceof ApiError ? `${err.status} ${err.code}: ${err.message}` : (err as Error).message;
    }
  };
  fill(
    root,
    h('h1', {}, 'Operations'),
    h(
      'section',
      { class: 'card' },
      h('label', { for: 'ops-token' }, 'Ops token (kept in this page only; sent as a bearer header)'),
      tokenInput,
      h('label', { for: 'ops-reason' }, 'Reason for a pause'),
      reason,
      h(
        'div',
        { class: 'row buttons' },
        h('button', { type: 'button', onclick: () => void call('/v1/ops/pause', { reason: reason.value })() }, 'Pause'),
        h('button', { type: 'button', onclick: () => void call('/v1/ops/resume')() }, 'Resume'),
        h('button', { type: 'button', onclick: () => void call('/v1/ops/resign')() }, 'Resign (leader)'),
        h('button', { type: 'button', onclick: () => void call('/v1/ops/reindex')() }, 'Reindex'),
      ),
      result,
    ),
    verifySection(controller.signal),
  );
  return () => controller.abort();
}

/** Records per /v1/verify call: small enough for a progress line every second or so. */
const VERIFY_CHUNK = 10_000n;

interface VerifyAnswer {
  ok: boolean;
  checked: number;
  unverifiable: number;
  firstBreak: { kind: string; message: string; seq?: string } | null;
}

/** Ranged verify (open, no token): the range in chunks through /v1/verify, with progress, rate and ETA; stops at the first break. */
function verifySection(signal: AbortSignal): HTMLElement {
  const from = h('input', { id: 'verify-from', inputmode: 'numeric', value: '1', autocomplete: 'off' });
  const to = h('input', { id: 'verify-to', inputmode: 'numeric', autocomplete: 'off', placeholder: 'the head' });
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Verify progress' });
  const line = h('p', { role: 'status', 'data-testid': 'verify-result', class: 'verdict' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'verify-title' },
    h('h2', { id: 'verify-title' }, 'Verify a range (recomputes each record from the source topic)'),
    h('label', { for: 'verify-from' }, 'From seq'),
    from,
    h('label', { for: 'verify-to' }, 'To seq'),
    to,
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Verify')),
    bar,
    line,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      line.className = 'verdict';
      try {
        const first = BigInt(from.value);
        const last = to.value ? BigInt(to.value) : BigInt((await getJson<{ seq: string }>('/v1/head', signal)).seq);
        if (first < 1n || last < first) throw new Error('from must be at least 1 and not above to');
        const total = Number(last - first + 1n);
        const started = performance.now();
        let done = 0;
        for (let a = first; a <= last && !signal.aborted; a += VERIFY_CHUNK) {
          const b = a + VERIFY_CHUNK - 1n < last ? a + VERIFY_CHUNK - 1n : last;
          const answer = await getJson<VerifyAnswer>(`/v1/verify?from=${a}&to=${b}`, signal);
          if (!answer.ok && answer.firstBreak) {
            line.className = 'verdict failed';
            line.textContent = `Broken${answer.firstBreak.seq ? ` at seq ${answer.firstBreak.seq}` : ''}: ${answer.firstBreak.kind}: ${answer.firstBreak.message}`;
            return;
          }
          done += Number(b - a + 1n);
          bar.value = done / total;
          const rate = done / ((performance.now() - started) / 1000);
          line.textContent = `${done.toLocaleString('en')} of ${total.toLocaleString('en')} records, ${Math.round(rate).toLocaleString('en')}/s, about ${Math.ceil((total - done) / rate)} s left`;
        }
        line.className = 'verdict ok';
        line.textContent = `Verified seqs ${first}–${last}: ${total.toLocaleString('en')} records recomputed from the source topic and linked.`;
      } catch (err) {
        if (signal.aborted) return;
        line.className = 'verdict failed';
        line.textContent = err instanceof ApiError ? `${err.code}: ${err.message}` : `Failed: ${(err as Error).message}`;
      }
    })();
  });
  return form;
}
