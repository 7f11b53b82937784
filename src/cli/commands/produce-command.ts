import type { Command } from 'commander';
import { loadKeyring } from '../../config/key-file.js';
import { addSharedOptions, contextFrom, parseIntArg } from '../options.js';
import { produce } from './produce.js';

export function registerProduce(program: Command): void {
  addSharedOptions(
    program
      .command('produce')
      .description('load generator: write N records over all partitions of a topic, with progress')
      .requiredOption('-t, --topic <topic>', 'topic to write to')
      .option('-n, --count <n>', 'records to write', parseIntArg('--count', 1), 10_000)
      .option('--rate <n>', 'records per second (0 = as fast as possible)', parseIntArg('--rate'), 0)
      .option('--size <bytes>', 'value size in bytes', parseIntArg('--size'), 100)
      .option('--keys <n>', 'distinct keys (0 = null keys)', parseIntArg('--keys'), 1000)
      .option('--headers <n>', 'headers per record (names repeat in pairs)', parseIntArg('--headers'), 2)
      .option('--batch <n>', 'records per send', parseIntArg('--batch', 1), 1000)
      .option('--transactional', 'write through a transactional producer', false)
      .option(
        '--seal-key-file <file>',
        'seal every value with the key file\'s first key (AES-256-GCM, docs/CONSUMING.md "Sealed payloads"); the file must be 0600',
      )
      .option('--json', 'print the result as JSON', false),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    // Read before any connection: a key file that is refused fails the command before it writes anything.
    const seal = opts.sealKeyFile !== undefined ? loadKeyring(String(opts.sealKeyFile), '--seal-key-file') : undefined;
    const result = await produce(config, logger, {
      topic: opts.topic,
      count: opts.count,
      rate: opts.rate,
      size: opts.size,
      keys: opts.keys,
      headers: opts.headers,
      transactional: opts.transactional,
      batchSize: opts.batch,
      quiet: false,
      ...(seal ? { seal } : {}),
    });
    const line = {
      records: result.records,
      perPartition: result.perPartition,
      elapsedMs: result.elapsedMs,
      rate: Math.round((result.records * 1000) / Math.max(1, result.elapsedMs)),
      ...(seal ? { sealedWith: seal.sealingKeyId } : {}),
    };
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(line)}\n`
        : `produced ${line.records} records to ${opts.topic} in ${line.elapsedMs} ms (${line.rate}/s)${seal ? `, sealed with key ${seal.sealingKeyId}` : ''}\n`,
    );
  });
}
