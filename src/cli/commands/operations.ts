import type { Command } from 'commander';
import { loadOpsToken } from '../../api/auth.js';
import { callApi, resolveApi } from '../api-client.js';
import { addSharedOptions, contextFrom } from '../options.js';

/** No --token flag: a secret on the command line is readable by every user in the process list. */
const TOKEN_HELP = `
The ops bearer token is read from the environment or a file only, never from the command line
(where any user could read it in the process list): SEQCHAIN_API_TOKEN, or SEQCHAIN_API_TOKEN_FILE
naming a file whose first line is the token (config keys api.token / api.tokenFile).`;

function opsCommand(program: Command, name: string, description: string): Command {
  return addSharedOptions(program.command(name).description(description))
    .option('--api <url>', 'a replica API (env SEQCHAIN_API_URL; default: the leader, found in ZooKeeper)')
    .addHelpText('after', TOKEN_HELP);
}

/** CLI mirrors of the ops routes: resign, pause, resume. */
export function registerOperations(program: Command): void {
  const run = (route: string, body?: (opts: Record<string, unknown>) => unknown) => async (opts: Record<string, unknown>) => {
    const { config, logger } = contextFrom(opts);
    const api = await resolveApi(config, logger, opts.api as string | undefined, 'leader');
    const result = await callApi(api, 'POST', route, { token: loadOpsToken(config.api), ...(body ? { body: body(opts) } : {}) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  };
  opsCommand(program, 'resign', 'the leader ends its term; the next replica in line leads').action(run('/v1/ops/resign'));
  opsCommand(program, 'pause', 'stop sequencing until resume (workers keep digesting; nothing is lost)')
    .option('--reason <text>', 'why, for status and logs', '')
    .action(run('/v1/ops/pause', (opts) => ({ reason: opts.reason })));
  opsCommand(program, 'resume', 'resume sequencing after a pause').action(run('/v1/ops/resume'));
}
