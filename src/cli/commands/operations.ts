import type { Command } from 'commander';
import { callApi, opsToken, resolveApi } from '../api-client.js';
import { addSharedOptions, contextFrom } from '../options.js';

function opsCommand(program: Command, name: string, description: string): Command {
  return addSharedOptions(program.command(name).description(description))
    .option('--api <url>', 'a replica API (env SEQCHAIN_API_URL; default: the leader, found in ZooKeeper)')
    .option('--token <token>', 'ops bearer token (default: api.token / SEQCHAIN_API_TOKEN / SEQCHAIN_API_TOKEN_FILE)');
}

/** CLI mirrors of the ops routes: resign, pause, resume. */
export function registerOperations(program: Command): void {
  const run = (route: string, body?: (opts: Record<string, unknown>) => unknown) => async (opts: Record<string, unknown>) => {
    const { config, logger } = contextFrom(opts);
    const api = await resolveApi(config, logger, opts.api as string | undefined, 'leader');
    const result = await callApi(api, 'POST', route, { token: opsToken(config, opts.token as string | undefined), ...(body ? { body: body(opts) } : {}) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  };
  opsCommand(program, 'resign', 'the leader ends its term; the next replica in line leads').action(run('/v1/ops/resign'));
  opsCommand(program, 'pause', 'stop sequencing until resume (workers keep digesting; nothing is lost)')
    .option('--reason <text>', 'why, for status and logs', '')
    .action(run('/v1/ops/pause', (opts) => ({ reason: opts.reason })));
  opsCommand(program, 'resume', 'resume sequencing after a pause').action(run('/v1/ops/resume'));
}
