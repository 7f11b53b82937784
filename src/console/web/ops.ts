import { ApiError, postOps } from './api.js';
import { fill, h } from './dom.js';

/** The ops token of this page's session: a variable, never local storage, never a URL. */
let token = '';

/** Pause, resume, resign and reindex behind the ops token (sent as the bearer header). */
export function operations(root: HTMLElement): () => void {
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
  );
  return () => undefined;
}
