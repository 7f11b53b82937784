import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaults } from '../../../src/config/defaults.js';
import { CONFIG_FILE_ENV, ENV_KEYS } from '../../../src/config/load.js';
import { readYamlDocuments } from './render.js';

/**
 * docker-compose.yml against the local stack (scripts/stack.sh) and the config: CI has no Docker
 * engine, so this is what keeps the compose file from drifting — the same host ports, the same
 * broker, ZooKeeper and Redis settings, environment names the replica reads.
 */

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const STACK = readFileSync(join(REPO, 'scripts', 'stack.sh'), 'utf8');
const DOCKERFILE = readFileSync(join(REPO, 'deploy', 'Dockerfile'), 'utf8');

interface ComposeService {
  image: string;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
}
const [compose] = readYamlDocuments(join(REPO, 'docker-compose.yml')) as { services: Record<string, ComposeService> }[];
const services = compose!.services;
const seqchain = Object.entries(services).filter(([, s]) => s.image.startsWith('seqchain'));
const env = (name: string) => Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** A port default of scripts/stack.sh: `KAFKA_PORT="${SEQCHAIN_KAFKA_PORT:-19092}"`. */
function stackDefault(variable: string): number {
  const m = new RegExp(`^${variable}="\\$\\{SEQCHAIN_${variable}:-(\\d+)\\}"$`, 'm').exec(STACK);
  if (!m) throw new Error(`scripts/stack.sh sets no default for ${variable}`);
  return Number(m[1]);
}

/** `key=value` lines of a heredoc in scripts/stack.sh, from the line matching `start` to its EOF. */
function stackProperties(start: RegExp): Map<string, string> {
  const lines = STACK.split('\n');
  const from = lines.findIndex((l) => start.test(l));
  if (from < 0) throw new Error(`scripts/stack.sh has no ${start}`);
  const out = new Map<string, string>();
  for (const line of lines.slice(from + 1)) {
    if (line.trim() === 'EOF') break;
    const m = /^(\w[\w.]*)[= ](.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The host port of a `127.0.0.1:host:container` mapping whose container port is `target`. */
const hostPort = (service: string, target: number) => {
  const mapping = (services[service]!.ports ?? []).map((p) => p.split(':')).find((p) => p.length === 3 && Number(p[2]) === target);
  expect(mapping?.[0], `${service} binds to 127.0.0.1 only`).toBe('127.0.0.1');
  return Number(mapping?.[1]);
};
const portOf = (address: string) =>
  Number(
    address
      .replace(/^[a-z]+:\/\//, '')
      .split(':')
      .pop(),
  );

describe('docker-compose.yml against the local stack and the config', () => {
  it('gives the replicas only environment names the config reads, each its own replica id', () => {
    expect(seqchain.map(([n]) => n)).toEqual(['init', 'seqchain-1', 'seqchain-2', 'seqchain-3']);
    const known = new Set([...Object.keys(ENV_KEYS), CONFIG_FILE_ENV]);
    for (const [name] of seqchain) for (const variable of Object.keys(env(name))) expect(known.has(variable), `${name}: ${variable}`).toBe(true);
    const ids = seqchain.map(([name]) => env(name).SEQCHAIN_REPLICA_ID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("runs the image's default command for the replicas, and a real subcommand for init", () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(DOCKERFILE)![1]!) as string[];
    for (const [name, s] of seqchain.filter(([n]) => n !== 'init')) expect(s.command, name).toEqual(cmd);
    const init = services.init!.command![0]!;
    expect(readFileSync(join(REPO, 'src', 'cli', 'commands', `${init}.ts`), 'utf8')).toContain(`.command('${init}')`);
  });

  it("publishes the stack script's default ports, which are the config's defaults", () => {
    const kafka = stackDefault('KAFKA_PORT');
    const zk = stackDefault('ZK_PORT');
    const redis = stackDefault('REDIS_PORT');
    // The host listener of Kafka is its own port inside the container (it advertises 127.0.0.1:<port>).
    expect(hostPort('kafka', kafka)).toBe(kafka);
    expect(env('kafka').KAFKA_ADVERTISED_LISTENERS).toContain(`HOST://127.0.0.1:${kafka}`);
    expect(hostPort('zookeeper', 2181)).toBe(zk);
    expect(hostPort('redis', 6379)).toBe(redis);
    expect(defaults.kafka.brokers).toEqual([`127.0.0.1:${kafka}`]);
    expect(portOf(defaults.zookeeper.connect)).toBe(zk);
    expect(portOf(defaults.redis.url)).toBe(redis);
  });

  it("points the replicas at the compose network's listeners", () => {
    const replica = env('seqchain-1');
    const [host, port] = replica.SEQCHAIN_KAFKA_BROKERS!.split(':');
    expect(env('kafka').KAFKA_ADVERTISED_LISTENERS).toContain(`INTERNAL://${host}:${port}`);
    expect(env('kafka').KAFKA_INTER_BROKER_LISTENER_NAME).toBe('INTERNAL');
    expect(replica.SEQCHAIN_ZK_CONNECT).toBe('zookeeper:2181');
    expect(replica.SEQCHAIN_REDIS_URL).toBe('redis://redis:6379');
    // One broker: the internal topics cannot have more replicas than it.
    expect([replica.SEQCHAIN_KAFKA_REPLICATION_FACTOR, replica.SEQCHAIN_KAFKA_MIN_INSYNC_REPLICAS]).toEqual(['1', '1']);
  });

  it("sets the broker like the local stack: every setting of the stack's common properties, same value", () => {
    const stack = stackProperties(/^kafka_common_properties\(\)/);
    // Host names and paths differ by design (a container vs loopback and a work folder).
    for (const key of ['controller.quorum.voters', 'log.dirs']) expect(stack.has(key), key).toBe(true);
    const compose = new Map(
      Object.entries(env('kafka'))
        .filter(([k]) => k.startsWith('KAFKA_'))
        .map(([k, v]) => [k.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.'), v]),
    );
    // The compose file is the single-node stack: its shell expressions take their one-broker values
    // (the function's `local … rf=1 isr=1` defaults; node_index of "kafka" is 1).
    const local = /^kafka_common_properties\(\) \{\n\s+local [^\n]*\brf=(\d+) isr=(\d+)/m.exec(STACK);
    expect(local, 'kafka_common_properties declares rf and isr defaults').not.toBeNull();
    const singleNode: Record<string, string> = { $rf: local![1]!, $isr: local![2]!, '$(node_index "$node")': '1' };
    const compared = [...stack]
      .filter(([key]) => key !== 'controller.quorum.voters' && key !== 'log.dirs')
      .map(([key, value]): [string, string] => [key, singleNode[value] ?? value]);
    for (const [key, value] of compared) expect(value, `${key} is a plain value once the single node's are in`).not.toMatch(/\$/);
    expect(compared.length).toBeGreaterThanOrEqual(10);
    for (const [key, value] of compared) expect(compose.get(key), `kafka: ${key}`).toBe(value);
  });

  it('sets ZooKeeper and Redis like the local stack', () => {
    const zoo = stackProperties(/^write_zookeeper_config\(\)/);
    const zk = env('zookeeper');
    expect(zk.ZOO_TICK_TIME).toBe(zoo.get('tickTime'));
    expect(zk.ZOO_CFG_EXTRA!.split(' ').sort()).toEqual(
      [`minSessionTimeout=${zoo.get('minSessionTimeout')}`, `maxSessionTimeout=${zoo.get('maxSessionTimeout')}`].sort(),
    );
    expect(zk.ZOO_4LW_COMMANDS_WHITELIST).toBe(zoo.get('4lw.commands.whitelist'));
    expect(zk.ZOO_ADMINSERVER_ENABLED).toBe(zoo.get('admin.enableServer'));
    const conf = stackProperties(/cat >"\$dir\/redis\.conf"/);
    const command = services.redis!.command!;
    expect(command[command.indexOf('--save') + 1]).toBe(JSON.parse(conf.get('save')!));
    expect(command[command.indexOf('--appendonly') + 1]).toBe(conf.get('appendonly'));
  });
});
