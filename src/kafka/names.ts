/**
 * The one place Kafka names are built: internal topics and consumer groups of a chain.
 */
export const kafkaNames = {
  digestTopic: (chain: string) => `${chain}.digests`,
  ledgerTopic: (chain: string) => `${chain}.ledger`,
  workerGroup: (chain: string) => `seqchain.${chain}.workers`,
  /** A group per epoch: a new leader never waits for a dead leader's group session to expire. */
  sequencerGroup: (chain: string, epoch: bigint) => `seqchain.${chain}.sequencer.e${epoch}`,
  readerGroup: (chain: string, purpose: string, id: string) => `seqchain.${chain}.${purpose}.${id}`,
  /** All sequencers of a chain share it, so initTransactions fences a stale leader at the broker. */
  transactionalId: (chain: string) => `seqchain.${chain}.sequencer`,
} as const;
