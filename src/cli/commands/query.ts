import { InvalidArgumentError, type Command } from 'commander';
import { SeqchainError } from '../../errors.js';
import { callApi, resolveApi } from '../api-client.js';
import { addSharedOptions, contextFrom } from '../options.js';

type Json = Record<string, unknown>;

const usage = (message: string) => new SeqchainError('SEQCHAIN_ERR_USAGE', message);

function decimal(name: string, max = 2n ** 63n - 1n): (value: string) => string {
  return (value) => {
    if (!/^(0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) > max)
      throw new InvalidArgumentError(`${name} must be a non-negative integer${max < 2n ** 63n - 1n ? ` up to ${max}` : ''}, got "${value}"`);
    return value;
  };
}

/** key: value lines, nested objects flattened with dots: readable, and greppable. */
function printRecord(obj: Json, prefix = ''): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) lines.push(...printRecord(v as Json, `${prefix}${k}.`));
    else lines.push(`${`${prefix}${k}`.padEnd(18)} ${v === null ? '-' : String(v)}`);
  }
  return lines;
}

function output(body: unknown, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(body)}\n` : `${printRecord(body as Json).join('\n')}\n`);
}

function queryCommand(program: Command, name: string, description: string): Command {
  return addSharedOptions(program.command(name).description(description))
    .option('--api <url>', 'a replica API (env SEQCHAIN_API_URL; default: found in ZooKeeper)')
    .option('--json', 'print as JSON', false);
}

/** CLI mirrors of the query routes: head, get <seq>, lookup <partition> <offset> | --digest <hex>. */
export function registerQueries(program: Command): void {
  queryCommand(program, 'head', 'the chain head: seq, hash, epoch, leader').action(async (opts) => {
    const { config, logger } = contextFrom(opts);
    const api = await resolveApi(config, logger, opts.api, 'any');
    output(await callApi(api, 'GET', '/v1/head'), opts.json);
  });

  queryCommand(program, 'get', 'the record at a global sequence number')
    .argument('<seq>', 'global sequence number', decimal('seq'))
    .action(async (seq: string, opts) => {
      const { config, logger } = contextFrom(opts);
      const api = await resolveApi(config, logger, opts.api, 'any');
      output(await callApi(api, 'GET', `/v1/records/${seq}`), opts.json);
    });

  queryCommand(program, 'lookup', 'the global seq of a source record: by <partition> <offset>, or by --digest <hex>')
    .argument('[partition]', 'source partition', decimal('partition', 2n ** 31n - 1n))
    .argument('[offset]', 'source offset', decimal('offset'))
    .option('--digest <hex>', 'SCR1 record digest (64 hex digits)')
    .action(async (partition: string | undefined, offset: string | undefined, opts) => {
      let path: string;
      if (opts.digest !== undefined) {
        if (partition !== undefined) throw usage('give either <partition> <offset> or --digest, not both');
        if (!/^[0-9a-fA-F]{64}$/.test(opts.digest)) throw usage(`--digest must be 64 hex digits, got "${opts.digest}"`);
        path = `/v1/digests/${opts.digest}`;
      } else {
        if (partition === undefined || offset === undefined) throw usage('lookup needs <partition> <offset> (or --digest <hex>)');
        path = `/v1/positions/${partition}/${offset}`;
      }
      const { config, logger } = contextFrom(opts);
      const api = await resolveApi(config, logger, opts.api, 'any');
      output(await callApi(api, 'GET', path), opts.json);
    });
}
