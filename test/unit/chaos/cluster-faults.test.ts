/**
 * The pure parts of the cluster chaos faults: which internal-topic partition coordinates a group
 * or a transactional id (as the broker computes it), where the stack listens, and the iptables
 * rule of a network partition.
 */
import { describe, expect, it } from 'vitest';
import { coordinatorPartition, javaStringHash } from '../../../chaos/lib/coordinators.js';
import { kafkaNode, stackLayout, zookeeperNode } from '../../../chaos/lib/layout.js';
import { cgroup2Root, dropRule } from '../../../chaos/lib/netsplit.js';

describe('coordinator partition (Java String.hashCode, Kafka Utils.abs)', () => {
  it('matches Java String.hashCode, including overflow and non-ASCII code units', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('seqchain.chain-a.sequencer')).toBe(javaStringHashSlow('seqchain.chain-a.sequencer'));
    expect(javaStringHash('zß€𝄞')).toBe(javaStringHashSlow('zß€𝄞'));
    // A well-known string whose hashCode is Integer.MIN_VALUE.
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('takes the absolute value, maps Integer.MIN_VALUE to 0, and refuses a bad partition count', () => {
    expect(coordinatorPartition('hello', 10)).toBe(99162322 % 10);
    const negative = 'seqchain.x.workers';
    expect(coordinatorPartition(negative, 50)).toBe(Math.abs(javaStringHash(negative)) % 50);
    expect(coordinatorPartition('polygenelubricants', 7)).toBe(0);
    expect(() => coordinatorPartition('a', 0)).toThrow(RangeError);
  });
});

/** The definition, in BigInt arithmetic: s[0]*31^(n-1) + … + s[n-1], wrapped to a signed 32-bit int. */
function javaStringHashSlow(s: string): number {
  let h = 0n;
  for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
  return Number(BigInt.asIntN(32, h));
}

describe('stack layout', () => {
  it('reads the ports of every broker, ZooKeeper server and Redis from the connection settings', () => {
    const l = stackLayout({
      SEQCHAIN_STACK_CLUSTER: '1',
      SEQCHAIN_KAFKA_BROKERS: '127.0.0.1:29892,127.0.0.1:29893, 127.0.0.1:29894',
      SEQCHAIN_ZK_CONNECT: '127.0.0.1:22881,127.0.0.1:22882,127.0.0.1:22883/chroot',
      SEQCHAIN_REDIS_URL: 'redis://127.0.0.1:26879/0',
    });
    expect(l).toEqual({ cluster: true, kafkaPorts: [29892, 29893, 29894], zkPorts: [22881, 22882, 22883], redisPort: 26879 });
    expect([kafkaNode(2), zookeeperNode(3)]).toEqual(['kafka-2', 'zookeeper-3']);
  });

  it('says which setting has no port', () => {
    expect(() => stackLayout({ SEQCHAIN_KAFKA_BROKERS: 'localhost', SEQCHAIN_ZK_CONNECT: '127.0.0.1:1', SEQCHAIN_REDIS_URL: 'redis://h:1' })).toThrow(
      /SEQCHAIN_KAFKA_BROKERS: "localhost" has no port/,
    );
    expect(() => stackLayout({ SEQCHAIN_KAFKA_BROKERS: 'h:1', SEQCHAIN_ZK_CONNECT: 'h:2', SEQCHAIN_REDIS_URL: '' })).toThrow(/SEQCHAIN_REDIS_URL/);
  });
});

describe('network partition rule', () => {
  it('finds the cgroup v2 mount, hybrid or unified', () => {
    const hybrid = 'tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n';
    expect(cgroup2Root(hybrid)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Root('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0\n')).toBe('/sys/fs/cgroup');
    expect(cgroup2Root('cgroup /sys/fs/cgroup/cpu cgroup rw 0 0\n')).toBeNull();
  });

  it('drops, never rejects, what that cgroup sends to the given ports', () => {
    expect(dropRule('seqchain-chaos-x/r1', [22881, 22882, 22883])).toEqual([
      '-m',
      'cgroup',
      '--path',
      'seqchain-chaos-x/r1',
      '-p',
      'tcp',
      '-m',
      'multiport',
      '--dports',
      '22881,22882,22883',
      '-j',
      'DROP',
    ]);
  });
});
