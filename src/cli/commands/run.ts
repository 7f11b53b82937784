import type { Command } from 'commander';
import { Replica } from '../../replica/replica.js';
import { addSharedOptions, contextFrom } from '../options.js';

/** How long a replica closing on an unhandled rejection may take before it exits anyway, ms. */
const UNHANDLED_CLOSE_MS = 5_000;

export function registerRun(program: Command): void {
  addSharedOptions(program.command('run').description('run one replica (worker, and sequencer when elected); graceful on SIGTERM/SIGINT')).action(
    async (opts) => {
      const { config, logger } = contextFrom(opts, {}, 'replica');
      let replica: Replica | null = null;
      // Last line of defence, not the fix: seqchain catches every rejection it knows of (see
      // src/kafka/consumer-crash.ts for kafkajs'). One that still escapes means a component is in a
      // state nobody checked, so the replica leaves the election, logs what it was and exits 2 for a
      // supervisor to restart it, rather than dying on Node's default with no context.
      process.on('unhandledRejection', (reason) => {
        logger.fatal({ err: reason, replicaId: config.replicaId, chain: config.chain }, 'unhandled promise rejection: closing the replica and exiting');
        const closed = replica ? replica.close().catch(() => undefined) : Promise.resolve();
        void Promise.race([closed, new Promise((resolve) => setTimeout(resolve, UNHANDLED_CLOSE_MS))]).finally(() => process.exit(2));
      });
      replica = await Replica.start(config, logger);
      const running = replica;
      logger.info({ replicaId: config.replicaId, chain: config.chain, topic: running.genesis.topic }, 'replica running');
      running.sequencer.on('sequencer:cut', (cut) => {
        logger.debug(
          { epoch: cut.epoch.toString(), cutId: cut.cutId.toString(), lastSeq: cut.lastSeq.toString(), records: cut.records, latencyMs: cut.latencyMs },
          'cut',
        );
      });
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          if (++signals > 1) process.exit(130);
          logger.info({ signal }, 'shutting down: handing off leadership');
          void running.close().then(resolve);
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      logger.info('replica stopped');
      process.exit(0);
    },
  );
}
