import { ApiError, getJson, type InclusionProof, type RecordView } from './api.js';
import { fields, fill, h } from './dom.js';
import { lookupPath, parseLookup } from './lookup.js';
import { checkInclusion, ProofCheckError } from './proof-check.js';

const describe = (err: unknown): string => (err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message);

/** The search form; a hit opens the record's page (#/record/<seq>). */
export function explorer(root: HTMLElement, navigate: (hash: string) => void): () => void {
  const input = h('input', { id: 'lookup', name: 'lookup', type: 'search', autocomplete: 'off', placeholder: '42, 3/1007 or a 64-hex digest', required: true });
  const message = h('p', { role: 'status', class: 'muted' });
  const form = h(
    'form',
    { class: 'card search', role: 'search' },
    h('label', { for: 'lookup' }, 'Find a record by seq, by partition/offset, or by digest'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Find')),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = parseLookup(input.value);
    if (!q) {
      message.textContent = 'Enter a seq (from 1), a position as partition/offset, or a digest of 64 hex digits.';
      return;
    }
    message.textContent = 'Looking up…';
    getJson<RecordView>(lookupPath(q))
      .then((r) => navigate(`#/record/${r.seq}`))
      .catch((err: unknown) => {
        message.textContent = err instanceof ApiError && err.status === 404 ? 'No such record in the index.' : describe(err);
      });
  });
  fill(root, h('h1', {}, 'Explorer'), form);
  input.focus();
  return () => undefined;
}

/** One record: where it sits, its chain fields, its payload when the API gives it, and its proof checked here. */
export function recordPage(root: HTMLElement, seq: string): () => void {
  const controller = new AbortController();
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(root, h('h1', {}, `Record ${seq}`), body);
  void (async () => {
    let record: RecordView;
    try {
      record = await getJson<RecordView>(`/v1/records/${seq}?payload=true`, controller.signal).catch((err: unknown) => {
        // The payload needs the source record; without it the chain fields still show.
        if (err instanceof ApiError && err.status !== 404) return getJson<RecordView>(`/v1/records/${seq}`, controller.signal);
        throw err;
      });
    } catch (err) {
      fill(body, h('p', { class: 'error', role: 'alert' }, describe(err)));
      return;
    }
    const verdict = h('p', { class: 'verdict', role: 'status', 'data-testid': 'proof-verdict' }, 'Checking the inclusion proof…');
    const headers = record.headers ?? [];
    fill(
      body,
      h(
        'section',
        { class: 'card', 'aria-label': 'Position and chain' },
        fields([
          ['Seq', h('span', { 'data-testid': 'record-seq' }, record.seq)],
          ['Partition / offset', h('span', { 'data-testid': 'record-position' }, `${record.position.partition} / ${record.position.offset}`)],
          ['Timestamp', new Date(Number(record.timestampMs)).toISOString()],
          ['Digest', h('code', { 'data-testid': 'record-digest' }, record.digest)],
          ['Hash', h('code', {}, record.hash)],
          ['Previous hash', h('code', {}, record.prevHash)],
          ['Epoch / cut', `${record.epoch} / ${record.cutId}`],
        ]),
      ),
      record.value === undefined
        ? null
        : h(
            'section',
            { class: 'card', 'aria-label': 'Payload' },
            h('h2', {}, 'Payload (base64)'),
            fields([
              ['Key', h('code', {}, record.key ?? 'null')],
              ['Value', h('code', { class: 'wrap' }, record.value ?? 'null')],
              ['Headers', headers.length === 0 ? 'none' : h('ul', {}, ...headers.map((x) => h('li', {}, `${x.name}: ${x.value ?? 'null'}`)))],
            ]),
          ),
      h('section', { class: 'card', 'aria-label': 'Inclusion proof' }, h('h2', {}, 'Inclusion proof, checked in this browser'), verdict),
    );
    try {
      const [proof, key] = await Promise.all([
        getJson<InclusionProof>(`/v1/proofs/inclusion?seq=${seq}`, controller.signal),
        getJson<{ origin: string; verifierKey: string }>('/v1/log/key', controller.signal),
      ]);
      const result = await checkInclusion({ seq: record.seq, digest: record.digest, proof, verifierKey: key.verifierKey });
      verdict.className = 'verdict ok';
      verdict.textContent = `Verified: record ${seq} is leaf ${BigInt(seq) - 1n} of the tree of size ${result.treeSize} signed by ${key.origin} (Web Crypto SHA-256 and Ed25519).`;
    } catch (err) {
      if (controller.signal.aborted) return;
      verdict.className = 'verdict failed';
      verdict.textContent =
        err instanceof ProofCheckError
          ? `Failed (${err.part}): ${err.message}`
          : err instanceof ApiError && err.code === 'SEQCHAIN_ERR_LOG_VIEW_OFF'
            ? 'No proof: the log view is off on this chain.'
            : `Failed: ${describe(err)}`;
    }
  })();
  return () => controller.abort();
}
