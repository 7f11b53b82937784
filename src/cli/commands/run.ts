import type { Command } from 'commander';
import { Replica } from '../../app.js';
import { addSharedOptions, contextFrom } from '../options.js';

export function registerRun(program: Command): void {
  addSharedOptions(program.command('run').description('run one replica (worker, and sequencer when elected); graceful on SIGTERM/SIGINT')).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const replica = await Replica.start(config, logger);
    logger.info({ replicaId: config.replicaId, chain: config.chain, topic: replica.genesis.topic }, 'replica running');
    replica.sequencer.on('sequencer:cut', (cut) => {
      logger.debug({ epoch: cut.epoch.toString(), cutId: cut.cutId.toString(), lastSeq: cut.lastSeq.toString(), records: cut.records, latencyMs: cut.latencyMs }, 'cut');
    });
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (++signals > 1) process.exit(130);
        logger.info({ signal }, 'shutting down: handing off leadership');
        void replica.close().then(resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
    logger.info('replica stopped');
    process.exit(0);
  });
}
