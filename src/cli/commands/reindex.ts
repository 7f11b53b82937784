import type { Command } from 'commander';
import { readChainGenesis } from '../../coordination/connect.js';
import { createRedis, redactRedisUrl, waitForRedis } from '../../index-store/redis-client.js';
import { reindex } from '../../indexer/reindex.js';
import { createKafka } from '../../kafka/client.js';
import { indexerSettings, kafkaClientOptions, redisClientOptions } from '../../config/slices.js';
import { addSharedOptions, contextFrom } from '../options.js';
import { Progress } from '../progress.js';

export function registerReindex(program: Command): void {
  addSharedOptions(
    program
      .command('reindex')
      .description("flush this chain's Redis query index and rebuild it from the ledger, checking every link")
      .option('--json', 'print the summary as JSON', false),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const genesis = await readChainGenesis(config.zookeeper, config.chain, logger);
    const kafka = createKafka(kafkaClientOptions(config), logger, 'reindex');
    const redis = createRedis(redisClientOptions(config), logger, 'reindex');
    try {
      await waitForRedis(redis, Math.max(config.redis.commandTimeoutMs, 5_000)).catch((err: Error) => {
        throw Object.assign(err, { message: `${err.message} at ${redactRedisUrl(config.redis.url)}` });
      });
      let progress: Progress | null = null;
      const result = await reindex({
        settings: indexerSettings(config),
        kafka,
        redis,
        logger,
        genesisHash: genesis.hash,
        onProgress: (p) => {
          // Created at the first report (the total is known by then); what that report covers is not in the rate.
          progress ??= new Progress('reindex', p.totalRecords, p.records);
          progress.update(p.records);
        },
      });
      (progress as Progress | null)?.finish(result.records);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ...result, headSeq: result.headSeq.toString(), ledgerEnd: result.ledgerEnd.toString() })}\n`);
      } else {
        const seconds = (result.durationMs / 1000).toFixed(1);
        process.stdout.write(
          `chain ${result.chain}: index rebuilt from the ledger\n` +
            `  records  ${result.records} in ${result.messages} ledger messages, head seq ${result.headSeq}\n` +
            `  head     ${result.headHash}\n` +
            `  took     ${seconds} s, ${result.recordsPerSec} records/s (${result.deletedKeys} old keys deleted)\n`,
        );
      }
    } finally {
      redis.disconnect();
    }
    process.exit(0);
  });
}
