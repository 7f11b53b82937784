import { once } from 'node:events';
import { type Command, Option } from 'commander';
import { readChainGenesis } from '../../coordination/connect.js';
import { loadKeyring } from '../../config/key-file.js';
import { kafkaClientOptions } from '../../config/slices.js';
import { readSequenced } from '../../reader/sequenced-reader.js';
import { addSharedOptions, contextFrom, parseSeqArg } from '../options.js';
import { Progress } from '../progress.js';
import { sequencedRecordJsonLine } from '../../reader/record-json.js';
import { tailTableLine } from '../tail-format.js';

/**
 * Writes to stdout and, when its buffer is full, waits for 'drain': the reader only reads its next
 * window when pulled, so a slow pipe holds back the reads from Kafka instead of filling memory.
 * Resolves false once stdout is gone (EPIPE: the reading end closed, as `| head` does).
 */
function stdoutWriter(): (chunk: string) => Promise<boolean> {
  let gone = false;
  let failure: Error | null = null;
  const closed = new Promise<void>((resolve) =>
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      gone = true;
      if (err.code !== 'EPIPE') failure = err;
      resolve();
    }),
  );
  return async (chunk) => {
    if (!gone && !process.stdout.write(chunk)) await Promise.race([once(process.stdout, 'drain'), closed]);
    if (failure) throw failure;
    return !gone;
  };
}

export function registerTail(program: Command): void {
  addSharedOptions(
    program
      .command('tail')
      .description("print the chain's records in global order from a seq, each verified (its link and digest recomputed) as it is read")
      .requiredOption('--from <seq>', 'first seq to print', parseSeqArg('--from'))
      .option('--to <seq>', 'last seq to print (inclusive; waits for it if the chain is not there yet)', parseSeqArg('--to'))
      .addOption(new Option('--follow', 'keep printing new records as they are sequenced, until SIGINT/SIGTERM').conflicts('to'))
      .option(
        '--json',
        'one JSON object per record and line (seq, partition, offset, timestampMs, key, value, headers, digest, hash; sealed: {keyId} on a record opened with --key-file)',
        false,
      )
      .option('--genesis-hash <hex>', "pin the chain's genesis hash (seqchain init prints it) instead of reading the genesis from ZooKeeper")
      .option('--source-topic <name>', "read the source records from this topic (a copy with the same partitions and offsets) instead of the chain's")
      .option(
        '--key-file <file>',
        'open sealed payloads with the keys of this file (docs/CONSUMING.md "Sealed payloads"; must be 0600); a record that does not open stops tail',
      )
      .option('--skip-deleted', 'skip records retention deleted (each skipped range is reported on stderr) instead of failing', false),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const keyring = opts.keyFile !== undefined ? loadKeyring(String(opts.keyFile), '--key-file') : undefined;
    const from = opts.from as bigint;
    const to = opts.to as bigint | undefined;
    const follow = opts.follow === true;
    const genesis =
      opts.genesisHash !== undefined ? { genesisHash: String(opts.genesisHash) } : { genesis: await readChainGenesis(config.zookeeper, config.chain, logger) };

    const controller = new AbortController();
    if (follow) {
      // The first signal ends the wait at the head and the loop below; a second one exits at once, as `run` does.
      let signals = 0;
      const onSignal = () => {
        if (++signals > 1) process.exit(130);
        controller.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    }

    const write = stdoutWriter();
    const format = opts.json ? sequencedRecordJsonLine : tailTableLine;
    // No progress while following: it has no end to report against.
    const progress = follow ? null : new Progress('tail', to === undefined ? null : Number(to - from + 1n));
    let printed = 0;
    for await (const record of readSequenced({
      // Options, not a client: the source is read on the reader's own thread.
      kafka: kafkaClientOptions(config),
      chain: config.chain,
      ...genesis,
      from,
      until: follow ? 'follow' : (to ?? 'head'),
      signal: controller.signal,
      logger,
      ...(opts.sourceTopic !== undefined ? { sourceTopic: String(opts.sourceTopic) } : {}),
      ...(keyring ? { keyring } : {}),
      ...(opts.skipDeleted
        ? {
            skipDeleted: true,
            onSkipped: (r) =>
              process.stderr.write(
                `seqchain: tail: skipped from seq ${r.firstSeq}: partition ${r.partition} offsets [${r.from}, ${r.to}) were deleted by retention\n`,
              ),
          }
        : {}),
    })) {
      if (!(await write(format(record)))) break;
      progress?.update(++printed);
      if (controller.signal.aborted) break;
    }
    // A closing line only when progress lines were shown: a short range prints nothing on stderr.
    if (progress?.shown) progress.finish(printed);
    process.exit(0);
  });
}
