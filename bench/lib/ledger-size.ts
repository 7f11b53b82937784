/**
 * Size arithmetic of the ledger (format SCM1, src/wire/ledger-v1.ts), for the benchmark's
 * scaling figures. Pure.
 */

/** Bytes of a cut message: "SCM1" ‖ kind, 4 × u64, 2 hashes, closedAtMs, P coverage slots, count, 52 bytes per entry. */
export const CUT_FIXED_BYTES = 5 + 8 * 4 + 32 + 32 + 8 + 4 + 4;
export const CUT_SLOT_BYTES = 16;
export const CUT_ENTRY_BYTES = 4 + 8 + 8 + 32;

export function cutMessageBytes(partitions: number, entries: number): number {
  return CUT_FIXED_BYTES + CUT_SLOT_BYTES * partitions + CUT_ENTRY_BYTES * entries;
}

/** Ledger message bytes per record when every cut holds `recordsPerCut` records. */
export function bytesPerRecord(partitions: number, recordsPerCut: number): number {
  return cutMessageBytes(partitions, recordsPerCut) / recordsPerCut;
}

/**
 * The ceiling the single ledger partition puts on the whole system, records/s: what one
 * partition leader can append (bytes/s) over the ledger bytes per record.
 */
export function ledgerCeilingRps(partitionBytesPerSecond: number, ledgerBytesPerRecord: number): number {
  return partitionBytesPerSecond / ledgerBytesPerRecord;
}

/**
 * The ceiling the single sequencer's cut loop puts on it, records/s: one cut at a time, each a
 * Kafka transaction plus a ZooKeeper CAS, so cuts/s ≤ 1000 ÷ (cut cycle ms), times records per cut.
 */
export function cutLoopCeilingRps(cutCycleMs: number, recordsPerCut: number): number {
  return (1000 / cutCycleMs) * recordsPerCut;
}
