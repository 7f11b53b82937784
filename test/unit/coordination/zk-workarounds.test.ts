import type { Client } from 'node-zookeeper-client';
import zookeeper from 'node-zookeeper-client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { abandonClient, dropSocket, pinTransactionVersion, socketOf } from '../../../src/coordination/zk-client-workarounds.js';
import { LivenessProbe, probeTiming } from '../../../src/coordination/zk-liveness-probe.js';
import { ReconnectWatchdog } from '../../../src/coordination/zk-reconnect-watchdog.js';
import { sleep } from '../../../src/retry/sleep.js';

const silent = pino({ level: 'silent' });

class FakeSocket {
  destroyed = 0;
  constructor(public readyState = 'open') {}
  destroy(): void {
    this.destroyed++;
  }
}

/** A client whose private socket is `socket` (the shape node-zookeeper-client 1.1.3 has). */
function clientWith(socket: FakeSocket | undefined, exists: Client['exists'] = () => undefined): Client {
  return { connectionManager: { socket }, exists, close: () => undefined } as unknown as Client;
}

describe('node-zookeeper-client workarounds', () => {
  it('transactions: the library still turns an expected version 0 into -1; pinTransactionVersion puts 0 back', () => {
    const client = zookeeper.createClient('127.0.0.1:1'); // never connected: no I/O
    const tx = client.transaction();
    const ops = (tx as unknown as { ops: { version: number }[] }).ops;
    tx.setData('/a', Buffer.from('x'), 0);
    expect(ops[0]!.version).toBe(-1);
    pinTransactionVersion(tx, 0);
    expect(ops[0]!.version).toBe(0);
    tx.check('/b', 0);
    pinTransactionVersion(tx, 0);
    tx.remove('/c', 7);
    pinTransactionVersion(tx, 7);
    expect(ops.map((o) => o.version)).toEqual([0, 0, 7]);
  });

  it('socket helpers reach the private socket and do nothing when it is absent', () => {
    const socket = new FakeSocket();
    const client = clientWith(socket);
    expect(socketOf(client)).toBe(socket);
    dropSocket(client);
    abandonClient(client);
    expect(socket.destroyed).toBe(2);
    const bare = {
      close: () => {
        throw new Error('refused');
      },
    } as unknown as Client;
    expect(socketOf(bare)).toBeUndefined();
    expect(() => dropSocket(bare)).not.toThrow();
    expect(() => abandonClient(bare)).not.toThrow();
  });
});

describe('probe timing', () => {
  it('is a third and two thirds of the session timeout, with floors', () => {
    expect(probeTiming(6_000)).toEqual({ intervalMs: 2_000, deadlineMs: 4_000, abandonAfterMs: 30_000 });
    expect(probeTiming(100)).toEqual({ intervalMs: 100, deadlineMs: 200, abandonAfterMs: 30_000 });
    expect(probeTiming(30_000).abandonAfterMs).toBe(150_000);
  });
});

describe('ReconnectWatchdog', () => {
  it('drops an open, unanswered reconnect socket only once it has waited the deadline', () => {
    const dog = new ReconnectWatchdog(1_000, silent);
    const socket = new FakeSocket();
    const client = clientWith(socket);
    dog.check(client, 0);
    dog.check(client, 999);
    expect(socket.destroyed).toBe(0);
    dog.check(client, 1_000);
    expect(socket.destroyed).toBe(1);
  });

  it('restarts the clock for a new socket, after reset(), and ignores sockets not open', () => {
    const dog = new ReconnectWatchdog(1_000, silent);
    const first = new FakeSocket();
    dog.check(clientWith(first), 0);
    const second = new FakeSocket();
    dog.check(clientWith(second), 900);
    dog.check(clientWith(second), 1_800);
    expect(second.destroyed).toBe(0);
    dog.reset();
    dog.check(clientWith(second), 2_000);
    expect(second.destroyed).toBe(0);
    const opening = new FakeSocket('opening');
    dog.check(clientWith(opening), 0);
    dog.check(clientWith(opening), 10_000);
    expect(opening.destroyed).toBe(0);
    expect(first.destroyed).toBe(0);
  });
});

describe('LivenessProbe', () => {
  it('reports a silent server after the deadline, sends one probe at a time, and stays quiet on an answer', async () => {
    let probes = 0;
    let answer: (() => void) | undefined;
    const client = clientWith(undefined, ((_p: string, cb: () => void) => {
      probes++;
      answer = cb;
    }) as unknown as Client['exists']);
    const probe = new LivenessProbe(20, silent);
    let silentCalls = 0;
    probe.send(
      client,
      () => true,
      () => silentCalls++,
    );
    probe.send(
      client,
      () => true,
      () => silentCalls++,
    );
    expect(probes).toBe(1);
    await sleep(60);
    expect(silentCalls).toBe(1);
    answer!();
    probe.send(
      client,
      () => true,
      () => silentCalls++,
    );
    expect(probes).toBe(2);
    answer!();
    await sleep(60);
    expect(silentCalls).toBe(1);
  });

  it('does not report a client the session no longer watches', async () => {
    const client = clientWith(undefined, (() => undefined) as unknown as Client['exists']);
    let silentCalls = 0;
    new LivenessProbe(20, silent).send(
      client,
      () => false,
      () => silentCalls++,
    );
    await sleep(60);
    expect(silentCalls).toBe(0);
  });
});
