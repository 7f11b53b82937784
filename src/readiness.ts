/** One readiness check as `/readyz` reports it: every component that can be unready answers one. */
export interface ReadinessCheck {
  ok: boolean;
  /** What was checked and what it answered, one line. */
  detail: string;
}
