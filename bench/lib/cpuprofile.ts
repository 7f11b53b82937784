/**
 * Self time per function of a V8 CPU profile (`node --cpu-prof`, a .cpuprofile JSON): which
 * functions the samples landed in. Pure.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  /** `name (file:line)`; V8's pseudo-frames as they are: (garbage collector), (idle), (program). */
  fn: string;
  selfMs: number;
  /** Share of all non-idle samples. */
  share: number;
}

function label(node: CpuProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  let file = url.replace(/^file:\/\//, '');
  if (root && file.startsWith(root)) file = file.slice(root.length).replace(/^\//, '');
  file = file.replace(/^(.*\/)?node_modules\//, '');
  return `${name} (${file}:${lineNumber + 1})`;
}

/**
 * Self time of every function, summed over all nodes of the same function, largest first.
 * `(idle)` is left out of the shares (a waiting process is not a busy one) but still listed.
 */
export function selfTimes(profile: CpuProfile, root = ''): { busyMs: number; totalMs: number; rows: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node) continue;
    // A sample's time is the delta to the next sample (V8's convention).
    const dt = (deltas[i + 1] ?? 0) / 1000;
    const key = label(node, root);
    ms.set(key, (ms.get(key) ?? 0) + dt);
  }
  const totalMs = [...ms.values()].reduce((a, b) => a + b, 0);
  const busyMs = totalMs - (ms.get('(idle)') ?? 0);
  const rows = [...ms].map(([fn, selfMs]) => ({ fn, selfMs, share: fn === '(idle)' || busyMs <= 0 ? 0 : selfMs / busyMs })).sort((a, b) => b.selfMs - a.selfMs);
  return { busyMs, totalMs, rows };
}

/**
 * Self time grouped by where the code lives: seqchain's own files, each npm package, Node's
 * internals, V8 (GC, program).
 */
export function byOwner(rows: readonly SelfTime[]): { owner: string; selfMs: number; share: number }[] {
  const out = new Map<string, { selfMs: number; share: number }>();
  for (const r of rows) {
    if (r.fn === '(idle)') continue;
    const m = /\(([^()]*):\d+\)$/.exec(r.fn);
    const file = m?.[1] ?? '';
    const owner = !m
      ? r.fn.startsWith('(')
        ? r.fn
        : 'native code (no source)'
      : file.startsWith('node:')
        ? 'node internals'
        : file.startsWith('dist/') || file.startsWith('src/')
          ? `seqchain ${file.replace(/^dist\//, '').replace(/\/[^/]*$/, '')}`
          : (file.split('/')[0] ?? file);
    const o = out.get(owner) ?? { selfMs: 0, share: 0 };
    o.selfMs += r.selfMs;
    o.share += r.share;
    out.set(owner, o);
  }
  return [...out].map(([owner, v]) => ({ owner, ...v })).sort((a, b) => b.selfMs - a.selfMs);
}
