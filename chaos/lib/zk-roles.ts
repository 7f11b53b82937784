/**
 * Which server of the ZooKeeper ensemble leads, from each server's own answer to the `srvr`
 * four-letter command (stack.sh allows it): "Mode: leader", "Mode: follower", or no answer.
 */
import { connect } from 'node:net';

/** The raw answer of one server to a four-letter command; '' when it does not answer in time. */
export function fourLetter(port: number, command: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(command));
    const done = () => {
      socket.destroy();
      resolve(out);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('error', () => resolve(''));
    socket.on('close', done);
  });
}

/** The mode each server reports, in the order of `ports` ('leader', 'follower', 'standalone', or null: no answer). */
export async function zkModes(ports: readonly number[]): Promise<(string | null)[]> {
  const answers = await Promise.all(ports.map((p) => fourLetter(p, 'srvr')));
  return answers.map((a) => /^Mode: (\w+)/m.exec(a)?.[1] ?? null);
}

/** 1-based index of the leading server (stack.sh's zookeeper-N), or null when none leads. */
export async function zkLeaderIndex(ports: readonly number[]): Promise<number | null> {
  const i = (await zkModes(ports)).indexOf('leader');
  return i < 0 ? null : i + 1;
}
