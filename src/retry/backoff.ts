/**
 * The wait before a retry, from one policy: grows from `initialMs` per attempt, never beyond
 * `maxMs`, optionally spread by jitter so that replicas failing together do not retry together.
 * Pure: no timers here (`sleep.ts` does the waiting).
 */
export interface BackoffPolicy {
  /** Wait before the first retry (attempt 1), ms. */
  readonly initialMs: number;
  /** Longest wait, ms (before jitter). */
  readonly maxMs: number;
  /**
   * 'exponential' doubles the wait each attempt, 'linear' adds `initialMs` each attempt.
   * @defaultValue 'exponential'
   */
  readonly growth?: 'exponential' | 'linear';
  /**
   * 'none': the wait itself; 'equal': uniform in [wait/2, wait); 'full': uniform in [0, wait).
   * @defaultValue 'none'
   */
  readonly jitter?: 'none' | 'equal' | 'full';
}

/** Beyond 2^30 × initialMs every sane policy is at its cap; keeps the arithmetic finite. */
const MAX_DOUBLINGS = 30;

/**
 * The wait before attempt `attempt` (1-based; 0 and below count as 1), ms. `random` returns a
 * number in [0, 1) (injectable for tests).
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(attempt, 1);
  const grown = (policy.growth ?? 'exponential') === 'linear' ? policy.initialMs * n : policy.initialMs * 2 ** Math.min(n - 1, MAX_DOUBLINGS);
  const capped = Math.min(policy.maxMs, grown);
  switch (policy.jitter ?? 'none') {
    case 'none':
      return capped;
    case 'equal':
      return capped * (0.5 + random() / 2);
    case 'full':
      return capped * random();
  }
}
