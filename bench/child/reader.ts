/**
 * Child process of the reader phase: one `readSequenced` (the library's verifying reader) over a
 * sequenced chain, from seq 1 to the head, in a process of its own so that its resident memory
 * is the reader's alone. The genesis comes from ZooKeeper, as a user's would. Talks to the parent
 * over IPC: {type:'progress', count, rssMb} every 25 ms and {type:'done', count, maxRssMb, head}
 * at the end; exits 1 with the error on stderr if the reader stops on a break.
 */
import { readChainGenesis } from '../../src/coordination/connect.js';
import { loadConfig } from '../../src/config/load.js';
import { kafkaClientOptions } from '../../src/config/slices.js';
import { createLogger } from '../../src/log.js';
import { readSequenced } from '../../src/reader/sequenced-reader.js';

export type ReaderChildMessage = { type: 'progress'; count: number; rssMb: number } | { type: 'done'; count: number; maxRssMb: number; head: string };

const chain = process.env.BENCH_CHAIN!;
const MiB = 2 ** 20;

async function main(): Promise<void> {
  const config = loadConfig({ overrides: { replicaId: `bench-reader-${process.pid}` } });
  const logger = createLogger({ level: process.env.BENCH_CHILD_LOG_LEVEL ?? 'fatal', name: 'bench-reader' });
  const genesis = await readChainGenesis(config.zookeeper, chain, logger);
  // Options, not a client: the reader then reads the source on its own thread, as a user's would.
  const kafka = kafkaClientOptions(config);
  let count = 0;
  let maxRss = process.memoryUsage.rss();
  let lastHash: Buffer | null = null;
  const tick = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > maxRss) maxRss = rss;
    process.send?.({ type: 'progress', count, rssMb: rss / MiB } satisfies ReaderChildMessage);
  }, 25);
  try {
    // BENCH_READER_SOURCE_THREAD=0 / BENCH_READER_BUFFER: the library's options, for A/B probes (bench/probes/reader-ab.ts).
    const sourceThread = process.env.BENCH_READER_SOURCE_THREAD;
    const bufferRecords = process.env.BENCH_READER_BUFFER;
    const more = {
      ...(sourceThread ? { sourceThread: sourceThread !== '0' } : {}),
      ...(bufferRecords ? { bufferRecords: Number(bufferRecords) } : {}),
    };
    for await (const record of readSequenced({ kafka, chain, genesis, until: 'head', logger, ...more })) {
      count++;
      lastHash = record.hash;
    }
  } finally {
    clearInterval(tick);
  }
  process.send?.({ type: 'done', count, maxRssMb: maxRss / MiB, head: lastHash?.toString('hex') ?? '' } satisfies ReaderChildMessage);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench reader: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
