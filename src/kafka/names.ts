/**
 * The one place Kafka names are built: internal topics and consumer groups of a chain.
 */
/** What a reader group reads for: the middle part of its name, so an operator can tell groups apart. */
export type ReaderPurpose =
  | 'index'
  | 'index-genesis'
  | 'checkpoint'
  | 'reindex'
  | 'recover'
  | 'status'
  | 'verify'
  | 'verify-range'
  | 'bench-watch'
  | 'bench-ledger'
  | 'bench-hops'
  | 'read'
  | 'records'
  | 'ordered-resume';

export const kafkaNames = {
  digestTopic: (chain: string) => `${chain}.digests`,
  ledgerTopic: (chain: string) => `${chain}.ledger`,
  /** The global order as plain Kafka records, one partition (delivery.orderedTopic, docs/CONSUMING.md). */
  orderedTopic: (chain: string) => `${chain}.ordered`,
  workerGroup: (chain: string) => `seqchain.${chain}.workers`,
  /** A group per epoch: a new leader never waits for a dead leader's group session to expire. */
  sequencerGroup: (chain: string, epoch: bigint) => `seqchain.${chain}.sequencer.e${epoch}`,
  /**
   * A reader of the chain's topics that is not a role's long-lived consumer: per replica (`id`)
   * or, without an id, a prefix that range readers complete with a random suffix.
   */
  readerGroup: (chain: string, purpose: ReaderPurpose, id?: string) =>
    id === undefined ? `seqchain.${chain}.${purpose}` : `seqchain.${chain}.${purpose}.${id}`,
  /** All sequencers of a chain share it, so initTransactions fences a stale leader at the broker. */
  transactionalId: (chain: string) => `seqchain.${chain}.sequencer`,
  /** Every holder of the ordered-writer lease shares it, so initTransactions fences a stale holder. */
  orderedTransactionalId: (chain: string) => `seqchain.${chain}.ordered-writer`,
} as const;
