import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../scripts/lib/replica-set.js';

/**
 * Every command's options with invalid values: exit code 2 (usage; 1 is kept for "chain broken")
 * and a message naming the option or config key. Nothing here reaches Kafka, ZooKeeper or Redis:
 * each value is refused before a connection is made. The CLI runs as a process (dist build).
 */
const HEX63 = 'a'.repeat(63);
const cases: { args: string[]; names: RegExp }[] = [
  { args: ['produce', '-t', 'x', '--count', 'abc'], names: /--count must be an integer from 1 to \d+, got "abc"/ },
  { args: ['produce', '-t', 'x', '--count', '0'], names: /--count must be an integer from 1/ },
  { args: ['produce', '-t', 'x', '--count', '-3'], names: /--count must be an integer/ },
  { args: ['produce', '-t', 'x', '--count', '1e3'], names: /--count must be an integer.*"1e3"/ },
  { args: ['produce', '-t', 'x', '--rate', '-5'], names: /--rate must be an integer from 0/ },
  { args: ['produce', '-t', 'x', '--size', '1.5'], names: /--size must be an integer/ },
  { args: ['produce', '-t', 'x', '--keys', '0x10'], names: /--keys must be an integer.*"0x10"/ },
  { args: ['produce', '-t', 'x', '--headers', ''], names: /--headers must be an integer.*""/ },
  { args: ['produce', '-t', 'x', '--batch', '0'], names: /--batch must be an integer from 1/ },
  { args: ['produce', '--count', '5'], names: /required option '-t, --topic <topic>'/ },
  { args: ['init', '-t', 'x', '--partitions', '0'], names: /--partitions must be an integer from 1/ },
  { args: ['init', '-t', 'x', '--partitions', 'many'], names: /--partitions must be an integer/ },
  { args: ['init', '-t', 'x', '--start', 'middle'], names: /option '--start <where>' argument 'middle' is invalid.*earliest, latest/ },
  { args: ['get', 'abc'], names: /seq must be a non-negative integer, got "abc"/ },
  { args: ['get', '--', '-1'], names: /seq must be a non-negative integer, got "-1"/ },
  { args: ['get', '99999999999999999999'], names: /seq must be a non-negative integer/ },
  { args: ['lookup', 'x', '5'], names: /partition must be a non-negative integer up to 2147483647, got "x"/ },
  { args: ['lookup', '4294967296', '0'], names: /partition must be a non-negative integer up to 2147483647/ },
  { args: ['lookup', '1', 'y'], names: /offset must be a non-negative integer, got "y"/ },
  { args: ['lookup', '--digest', 'zz'], names: /SEQCHAIN_ERR_USAGE: --digest must be 64 hex digits, got "zz"/ },
  { args: ['lookup', '--digest', HEX63], names: /--digest must be 64 hex digits/ },
  { args: ['lookup', '1', '2', '--digest', 'a'.repeat(64)], names: /either <partition> <offset> or --digest/ },
  { args: ['tail', '--from', 'x'], names: /--from must be a seq from 1 to 2\^63-1, got "x"/ },
  { args: ['tail', '--from', '1', '--to', '1.5'], names: /--to must be a seq from 1.*"1\.5"/ },
  { args: ['tail', '--from', '99999999999999999999'], names: /--from must be a seq/ },
  { args: ['tail', '--from', '1', '--follow', '--to', '9'], names: /option '--follow' cannot be used with option '--to <seq>'/ },
  { args: ['tail', '--json'], names: /required option '--from <seq>'/ },
  { args: ['status', '--bogus'], names: /unknown option '--bogus'/ },
  { args: ['status', '--log-level', 'loud'], names: /SEQCHAIN_ERR_CONFIG: .*log\.level.*flag for log\.level/ },
  { args: ['head', '--brokers', 'no-port'], names: /SEQCHAIN_ERR_CONFIG: .*kafka\.brokers.*expected host:port/ },
  { args: ['run', '--chain', 'bad/chain'], names: /SEQCHAIN_ERR_CONFIG: .*chain/ },
  { args: ['reindex', '--zk', 'nohost'], names: /SEQCHAIN_ERR_CONFIG: .*zookeeper\.connect/ },
  { args: ['verify', '--redis', 'ftp://x'], names: /SEQCHAIN_ERR_CONFIG: .*redis\.url/ },
  { args: ['pause', '--replica-id', 'a b'], names: /SEQCHAIN_ERR_CONFIG: .*replicaId/ },
  { args: ['resign', '--config', '/nonexistent/seqchain.json'], names: /SEQCHAIN_ERR_CONFIG: cannot read config file \/nonexistent\/seqchain.json/ },
  { args: ['nosuchcommand'], names: /unknown command 'nosuchcommand'/ },
  // A secret on the command line would be readable in the process list: no such flag.
  { args: ['resume', '--token', 'cli-ops-test-token-0123456789'], names: /unknown option '--token'.*SEQCHAIN_API_TOKEN_FILE/s },
];

// Environment variables of a developer's shell must not change what these runs see.
const env = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('SEQCHAIN_'))
    .map((k) => [k, '']),
);
const results: Awaited<ReturnType<typeof runCli>>[] = [];

beforeAll(async () => {
  // A few at a time: each is a short-lived process that fails during argument parsing.
  const queue = cases.map((c, i) => [c, i] as const);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results[next[1]] = await runCli(next[0].args, env);
  };
  await Promise.all([worker(), worker(), worker()]);
}, 60_000);

describe('CLI: invalid option values exit 2 and name the option', () => {
  it.each(cases.map((c, i) => ({ ...c, i, line: c.args.join(' ') })))('seqchain $line', ({ i, names }) => {
    const r = results[i]!;
    expect(r.stderr).toMatch(names);
    expect(r.code).toBe(2);
  });

  it('--help and --version still exit 0', async () => {
    expect((await runCli(['--version'], env)).code).toBe(0);
    expect((await runCli(['produce', '--help'], env)).code).toBe(0);
  });

  it('the ops commands say where their token comes from', async () => {
    const help = await runCli(['pause', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/SEQCHAIN_API_TOKEN, or SEQCHAIN_API_TOKEN_FILE/);
    expect(help.stdout).not.toMatch(/--token/);
  });
});
