import type { LeaderElection } from '../coordination/election.js';
import type { OrderedDelivery } from '../delivery/ordered-delivery.js';
import type { PauseWatch } from '../coordination/pause.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import type { Worker } from '../worker/worker.js';
import { rejectedMessage } from '../wire/rejected-message.js';
import type { SeqchainMetrics } from '../metrics/metrics.js';

/** The ordered topic's gauges, from its delivery role (only bound when delivery.orderedTopic is on). */
export function bindOrderedMetrics(m: SeqchainMetrics, ordered: OrderedDelivery): void {
  ordered.on('ordered:writing', (writing) => {
    m.orderedWriting.set(writing ? 1 : 0);
    // Only the writer exports the lag: a replica that stopped writing must not report a stale one.
    if (!writing) m.orderedLag.reset();
  });
  ordered.on('ordered:progress', ({ seq, lag }) => {
    m.orderedSeq.set(Number(seq));
    m.orderedLag.set(Number(lag));
  });
}

/** Turns the roles' events into metrics; the roles themselves know nothing about Prometheus. */
export function bindRoleMetrics(m: SeqchainMetrics, roles: { sequencer: Sequencer; worker: Worker; election: LeaderElection; pause: PauseWatch }): void {
  const { sequencer, worker, election, pause } = roles;
  election.on('elected', () => m.elections.inc());
  sequencer.on('sequencer:leading', ({ epoch }) => {
    m.isLeader.set(1);
    m.leaderEpoch.set(Number(epoch));
    // Every term starts by fencing whoever held the transactional.id before.
    m.fencing.inc({ kind: 'fenced_predecessor' });
  });
  sequencer.on('sequencer:cut', (cut) => {
    m.recordsSequenced.inc(cut.records);
    m.cuts.inc();
    m.cutRecords.observe(cut.records);
    m.cutLatency.observe(cut.latencyMs / 1000);
  });
  sequencer.on('sequencer:stopped', ({ code }) => {
    m.isLeader.set(0);
    if (code === 'SEQCHAIN_ERR_FENCED') m.fencing.inc({ kind: 'fenced' });
  });
  sequencer.on('sequencer:halted', (err) => {
    m.halted.set(1);
    const rejected = rejectedMessage(err);
    if (rejected) m.rejectedMessages.inc({ topic: rejected.stream, reason: rejected.reason });
  });
  sequencer.on('sequencer:gap', () => m.gaps.inc());
  worker.on('worker:batch', ({ records }) => m.workerRecords.inc(records));
  worker.on('worker:stalled', (err) => {
    m.recordsTooLarge.inc({ partition: String(err.details.partition) });
    m.stalledPartitions.set(worker.stalled.length);
  });
  worker.on('worker:unstalled', () => m.stalledPartitions.set(worker.stalled.length));
  pause.on('changed', (p) => m.paused.set(p ? 1 : 0));
}
