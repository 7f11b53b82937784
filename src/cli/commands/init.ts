import { Option, type Command } from 'commander';
import { initChain } from '../../ops/init-chain.js';
import { addSharedOptions, contextFrom, parseIntArg } from '../options.js';

export function registerInit(program: Command): void {
  addSharedOptions(
    program
      .command('init')
      .description('create a chain: internal topics, genesis (ledger + ZooKeeper), counter')
      .requiredOption('-t, --topic <topic>', 'source topic to sequence')
      .option('-p, --partitions <n>', 'create the source topic with n partitions if it does not exist', parseIntArg('--partitions', 1))
      .addOption(new Option('--start <where>', 'sequence from the earliest offsets or from now').choices(['earliest', 'latest']).default('earliest'))
      .option('--force', 'replace an existing chain, deleting its ledger (irreversible)', false)
      .option('--json', 'print the genesis as JSON', false),
  ).action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const g = await initChain(config, logger, { topic: opts.topic, partitions: opts.partitions, start: opts.start, force: opts.force });
    const out = {
      chain: g.chainId,
      topic: g.topic,
      partitions: g.partitions,
      start: g.start.map(String),
      startMode: g.startMode,
      genesisHash: g.hash.toString('hex'),
      ledgerTopic: g.ledgerTopic,
      digestTopic: g.digestTopic,
    };
    process.stdout.write(
      opts.json
        ? `${JSON.stringify(out)}\n`
        : `chain ${out.chain} initialised over ${out.topic} (${out.partitions} partitions, from ${out.startMode})\ngenesis ${out.genesisHash}\n`,
    );
  });
}
