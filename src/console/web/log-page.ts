import { ApiError, getJson, getText, type InclusionProof } from './api.js';
import { fields, fill, h } from './dom.js';
import { fromBase64, noteSignatures, openCheckpoint, parseVerifierKey, ProofCheckError, toHex, verifyConsistency } from './proof-check.js';

const describe = (err: unknown): string =>
  err instanceof ProofCheckError ? `Failed (${err.part}): ${err.message}` : err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message;

/** The signed checkpoint of a tree size, as the API gives it (a size that ends a cut has one), or null. */
async function checkpointAt(size: string): Promise<string | null> {
  return (await getJson<InclusionProof>(`/v1/proofs/inclusion?seq=1&size=${size}`)).checkpoint;
}

/**
 * The log view: the latest signed checkpoint (its signature checked here against the log's
 * key, and the cosignatures it carries), and a consistency check between two tree sizes, each
 * under its own signed checkpoint, all verified in the browser.
 */
export function logPage(root: HTMLElement): () => void {
  const latest = h('section', { class: 'card', 'aria-labelledby': 'log-latest' }, h('p', { class: 'muted' }, 'Loading the latest checkpoint…'));
  const from = h('input', { id: 'cons-from', inputmode: 'numeric', autocomplete: 'off' });
  const to = h('input', { id: 'cons-to', inputmode: 'numeric', autocomplete: 'off' });
  const verdict = h('p', { class: 'verdict', role: 'status', 'data-testid': 'consistency-verdict' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'log-cons' },
    h('h2', { id: 'log-cons' }, 'Consistency between two tree sizes'),
    h('p', { class: 'muted' }, 'Each size must end a cut (every cut’s end has a signed checkpoint).'),
    h('label', { for: 'cons-from' }, 'From size'),
    from,
    h('label', { for: 'cons-to' }, 'To size'),
    to,
    h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Check')),
    verdict,
  );
  fill(root, h('h1', {}, 'Log'), latest, form);
  let key: Awaited<ReturnType<typeof parseVerifierKey>> | null = null;

  void (async () => {
    try {
      const [note, served] = await Promise.all([getText('/checkpoint'), getJson<{ origin: string; verifierKey: string }>('/v1/log/key')]);
      key = await parseVerifierKey(served.verifierKey);
      let status: string;
      let size = '';
      try {
        const cp = await openCheckpoint(note, key);
        size = cp.size.toString();
        status = `Signature verified (Ed25519, key ${toHex(key.keyId)})`;
      } catch (err) {
        status = describe(err);
      }
      to.value = size;
      const sigs = noteSignatures(note);
      fill(
        latest,
        h('h2', { id: 'log-latest' }, 'Latest signed checkpoint'),
        fields([
          ['Origin', served.origin],
          ['Tree size', h('span', { 'data-testid': 'checkpoint-size' }, note.split('\n')[1] ?? '')],
          ['Root hash', h('code', { class: 'wrap' }, note.split('\n')[2] ?? '')],
          ['Log signature', h('span', { 'data-testid': 'checkpoint-verdict', class: status.startsWith('Signature verified') ? 'ok' : 'failed' }, status)],
          [
            'Signatures',
            h('ul', {}, ...sigs.map((s) => h('li', {}, `${s.name} (key id ${s.keyId})${s.name === served.origin ? ' — the log' : ' — a cosigner (witness)'}`))),
          ],
          ['Verifier key', h('code', { class: 'wrap' }, served.verifierKey)],
        ]),
        h('pre', { class: 'result' }, note),
      );
    } catch (err) {
      fill(latest, h('p', { class: 'error', role: 'alert' }, describe(err)));
    }
  })();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    verdict.className = 'verdict';
    verdict.textContent = 'Checking…';
    void (async () => {
      try {
        if (!/^[1-9][0-9]*$/.test(from.value) || !/^[1-9][0-9]*$/.test(to.value)) throw new Error('both sizes are integers from 1');
        if (!key) throw new Error('the log key is not loaded');
        const [a, b] = await Promise.all([checkpointAt(from.value), checkpointAt(to.value)]);
        if (a === null || b === null) throw new Error(`no signed checkpoint at size ${a === null ? from.value : to.value}: pick a size that ends a cut`);
        const [ca, cb] = await Promise.all([openCheckpoint(a, key), openCheckpoint(b, key)]);
        const answer = await getJson<{ proof: string[] }>(`/v1/proofs/consistency?from=${from.value}&to=${to.value}`);
        await verifyConsistency(
          ca.size,
          cb.size,
          answer.proof.map((p) => fromBase64(p, 'proof', 'a proof hash')),
          ca.root,
          cb.root,
        );
        verdict.className = 'verdict ok';
        verdict.textContent = `Verified: the tree of size ${ca.size} is a prefix of the tree of size ${cb.size} (${answer.proof.length} hashes, both checkpoints signed).`;
      } catch (err) {
        verdict.className = 'verdict failed';
        verdict.textContent = err instanceof ProofCheckError || err instanceof ApiError ? describe(err) : `Failed: ${(err as Error).message}`;
      }
    })();
  });
  return () => undefined;
}
