/**
 * The ordered topic's figures (issue 11): the rate its writer keeps up with, and its lag behind
 * the ledger under a live load. Both run the real `OrderedTopicWriter` in the bench process (the
 * replicas run with delivery.orderedTopic off, so it is the only writer).
 *
 * - backlog: the writer republishes the chain the seqchain phase sequenced, seq 1 to the head
 *   (`measureOrderedWriter`): records/s and per-transaction latency.
 * - live: a writer follows a chain under an offered load (a latency session's sidecar); its lag,
 *   the ledger's seq minus the last seq it committed, sampled every 50 ms.
 */
import { readChainGenesis } from '../../src/coordination/connect.js';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { measureOrderedWriter } from '../../src/delivery/ordered-rate.js';
import { OrderedTopicWriter } from '../../src/delivery/ordered-writer.js';
import { createKafka } from '../../src/kafka/client.js';
import type { Logger } from '../../src/log.js';
import { type LatencySummary, summarizeLatencies } from '../lib/stats.js';

async function writerOptions(chain: string, logger: Logger) {
  const config = loadConfig({ overrides: { chain } });
  const kafka = createKafka(kafkaClientOptions(config), logger, 'bench-ordered');
  const genesis = await readChainGenesis(config.zookeeper, chain, logger);
  // As a replica runs it: its reader reads the source on its own thread.
  const readerKafka = kafkaClientOptions(config);
  return { chain, kafka, readerKafka, genesis, replication: config.kafka, maxRecordBytes: config.worker.maxRecordBytes, logger };
}

export interface OrderedBacklogResult {
  rps: number;
  transactions: number;
  commitMs: { p50: number; p99: number; max: number };
}

export async function runOrderedBacklog(opts: { chain: string; total: number; logger: Logger }): Promise<OrderedBacklogResult> {
  const run = await measureOrderedWriter({ ...(await writerOptions(opts.chain, opts.logger)), toSeq: BigInt(opts.total), timeoutMs: 900_000 });
  return { rps: run.recordsPerSec, transactions: run.transactions, commitMs: run.commitMs };
}

/**
 * Starts a writer that follows `chain`; the returned function stops it and gives the lag it
 * showed: records behind the ledger (count, p50, p99, max over the samples).
 */
export async function followOrdered(chain: string, ledgerSeq: () => number, logger: Logger): Promise<() => Promise<LatencySummary>> {
  const writer = new OrderedTopicWriter(await writerOptions(chain, logger));
  const lags: number[] = [];
  writer.start();
  const sampler = setInterval(() => {
    const at = writer.lastSeq;
    if (at !== null) lags.push(Math.max(0, ledgerSeq() - Number(at)));
  }, 50);
  return async () => {
    clearInterval(sampler);
    await writer.close();
    return summarizeLatencies(lags);
  };
}
