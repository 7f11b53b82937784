import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import { ConfigError, SeqchainError } from '../errors.js';
import { abandonClient } from './zk-client-workarounds.js';
import type { ZkSessionOptions } from './zk-session-options.js';

/**
 * A new client with a new session. Rejects with a retriable SEQCHAIN_ERR_UNREACHABLE naming the
 * address when no session is established within connectTimeoutMs, with a ConfigError when the
 * server rejects the credentials; the client is abandoned either way.
 */
export function openClient(opts: ZkSessionOptions): Promise<Client> {
  const client = zookeeper.createClient(opts.connect, {
    sessionTimeout: opts.sessionTimeoutMs,
    spinDelay: Math.min(1_000, Math.max(50, Math.floor(opts.sessionTimeoutMs / 8))),
    retries: 0,
  });
  if (opts.auth) client.addAuthInfo(opts.auth.scheme, Buffer.from(opts.auth.credentials, 'utf8'));
  return new Promise<Client>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.removeListener('connected', onConnected);
      client.removeListener('authenticationFailed', onAuthFailed);
      if (err) {
        abandonClient(client);
        reject(err);
      } else resolve(client);
    };
    const onConnected = (): void => finish(null);
    const onAuthFailed = (): void =>
      finish(new ConfigError(`zookeeper at ${opts.connect} rejected the credentials of zookeeper.auth`, { key: 'zookeeper.auth', connect: opts.connect }));
    const timer = setTimeout(
      () =>
        finish(
          new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', `zookeeper at ${opts.connect} unreachable: no session within ${opts.connectTimeoutMs} ms`, {
            retriable: true,
            details: { connect: opts.connect, connectTimeoutMs: opts.connectTimeoutMs },
          }),
        ),
      opts.connectTimeoutMs,
    );
    client.once('connected', onConnected);
    client.once('authenticationFailed', onAuthFailed);
    client.connect();
  });
}
