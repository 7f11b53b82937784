import { ApiError, getJson, type Status } from './api.js';
import { LineChart, type Point } from './chart.js';
import { fields, fill, h, short } from './dom.js';

const POLL_MS = 1_000;
const KEEP_MS = 10 * 60_000;

/**
 * The overview: head, leader, epoch, pause, members and their partitions, per-partition lag as
 * bars, and the sequencing rate, cut latency and lag over the last minutes, polled from
 * /v1/status once a second (no reload). Returns a stop function for the router.
 */
export function overview(root: HTMLElement): () => void {
  const summary = h('section', { 'aria-labelledby': 'ov-head', class: 'card' });
  const members = h('section', { 'aria-labelledby': 'ov-members', class: 'card' });
  const lag = h('section', { 'aria-labelledby': 'ov-lag', class: 'card' });
  const cuts = h('section', { 'aria-labelledby': 'ov-cuts', class: 'card' });
  const rate = new LineChart('Sequencing rate', 'records/s');
  const latency = new LineChart('Cut latency', 'ms');
  const lagChart = new LineChart('Total lag', 'records');
  const charts = h('section', { class: 'card charts', 'aria-label': 'Charts, last 5 minutes' }, rate.element, latency.element, lagChart.element);
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  fill(root, h('h1', {}, 'Overview'), error, summary, charts, members, lag, cuts);

  const rates: Point[] = [];
  const latencies: Point[] = [];
  const lags: Point[] = [];
  let previous: { t: number; seq: bigint } | null = null;
  let lastCutId = '';
  let stopped = false;
  let timer: number | undefined;

  const tick = async (): Promise<void> => {
    try {
      const s = await getJson<Status>('/v1/status');
      if (stopped) return;
      error.hidden = true;
      const now = Date.now();
      const seq = BigInt(s.head.seq);
      if (previous && now > previous.t) rates.push({ t: now, v: (Number(seq - previous.seq) * 1000) / (now - previous.t) });
      previous = { t: now, seq };
      if (s.lastCut && s.lastCut.cutId !== lastCutId) {
        lastCutId = s.lastCut.cutId;
        latencies.push({ t: s.lastCut.at, v: s.lastCut.latencyMs });
      }
      lags.push({ t: now, v: Number(s.totalLag) });
      for (const series of [rates, latencies, lags]) while (series.length > 0 && (series[0] as Point).t < now - KEEP_MS) series.shift();
      rate.draw(rates, now);
      latency.draw(latencies, now);
      lagChart.draw(lags, now);
      render(s);
    } catch (err) {
      if (stopped) return;
      error.hidden = false;
      error.textContent = `Status unavailable: ${err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message}. Retrying.`;
    } finally {
      if (!stopped) timer = window.setTimeout(() => void tick(), POLL_MS);
    }
  };

  const render = (s: Status): void => {
    const state = s.paused ? `paused by ${s.paused.by} (${s.paused.reason})` : s.leader ? 'sequencing' : 'no leader';
    fill(
      summary,
      h('h2', { id: 'ov-head' }, `Chain ${s.chain}`),
      fields([
        ['Head seq', h('span', { 'data-testid': 'head-seq' }, s.head.seq)],
        ['Head hash', h('code', { title: s.head.hash }, short(s.head.hash))],
        ['Leader', h('span', { 'data-testid': 'leader' }, s.leader ? s.leader.replicaId : 'none')],
        ['Epoch', h('span', { 'data-testid': 'epoch' }, s.epoch)],
        ['State', h('span', { 'data-testid': 'state', class: s.paused ? 'warn' : '' }, state)],
        ['Source topic', s.topic],
        ['Served by', s.replicaId],
      ]),
    );
    const rows = s.members.map((m) =>
      h(
        'tr',
        {},
        h('td', {}, m.replicaId, s.leader?.replicaId === m.replicaId ? h('span', { class: 'badge' }, 'leader') : null),
        h('td', {}, m.partitions.join(', ') || '—'),
        h('td', {}, `${m.host} (pid ${m.pid})`),
      ),
    );
    fill(
      members,
      h('h2', { id: 'ov-members' }, `Members (${s.members.length})`),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Replica'), h('th', { scope: 'col' }, 'Partitions'), h('th', { scope: 'col' }, 'Host'))),
        h('tbody', {}, ...rows),
      ),
    );
    const th = (label: string) => h('th', { scope: 'col' }, label);
    fill(
      cuts,
      h('h2', { id: 'ov-cuts' }, 'Recent cuts of the leader’s term'),
      s.recentCuts.length === 0
        ? h('p', { class: 'muted' }, 'None yet.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, th('Cut'), th('Epoch'), th('Records'), th('Latency'), th('Last seq'), th('At'))),
            h(
              'tbody',
              {},
              ...s.recentCuts.map((c) =>
                h(
                  'tr',
                  { 'data-testid': 'recent-cut' },
                  h('td', {}, c.cutId),
                  h('td', {}, c.epoch),
                  h('td', { class: 'num' }, c.records),
                  h('td', { class: 'num' }, `${c.latencyMs} ms`),
                  h('td', {}, h('a', { href: `#/record/${c.lastSeq}` }, c.lastSeq)),
                  h('td', {}, new Date(c.at).toISOString().slice(11, 23)),
                ),
              ),
            ),
          ),
    );
    const max = Math.max(1, ...s.partitions.map((p) => Number(p.lag)));
    fill(
      lag,
      h('h2', { id: 'ov-lag' }, `Lag per partition (total ${s.totalLag})`),
      h(
        'ul',
        { class: 'bars' },
        ...s.partitions.map((p) =>
          h(
            'li',
            {},
            h('label', { for: `lag-${p.partition}` }, `p${p.partition}`),
            h('meter', { id: `lag-${p.partition}`, min: 0, max, value: Number(p.lag), 'data-testid': 'lag-bar' }),
            h('span', { class: 'num' }, p.lag),
          ),
        ),
      ),
    );
  };

  void tick();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
