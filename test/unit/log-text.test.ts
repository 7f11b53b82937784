import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { textLine } from '../../src/log-text.js';

describe('plain text log lines of one-shot commands', () => {
  it('prints name, level, message and the other fields; stack traces only when asked for', () => {
    const json = JSON.stringify({
      level: 40,
      time: 1,
      pid: 7,
      name: 'seqchain',
      component: 'zk',
      reason: 'session expired',
      n: 3,
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      stack: 'Error: kafkajs\n    at y',
      msg: 'zookeeper disconnected',
    });
    expect(textLine(json, { stacks: false })).toBe('seqchain: warn: zookeeper disconnected (component=zk, reason="session expired", n=3, err=boom)\n');
    expect(textLine(json, { stacks: true })).toBe(
      'seqchain: warn: zookeeper disconnected (component=zk, reason="session expired", n=3, err=boom)\nError: boom\n    at x\nError: kafkajs\n    at y\n',
    );
    expect(textLine(JSON.stringify({ level: 30, msg: 'done' }), { stacks: false })).toBe('seqchain: info: done\n');
    expect(textLine('not json\n', { stacks: false })).toBe('not json\n');
  });

  it('a text logger keeps the level and the redaction of the JSON one', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', name: 'seqchain', format: 'text', stream: { write: (s: string) => void lines.push(s) } });
    logger.info('not shown');
    logger.warn({ config: { api: { token: 'secret-token-0123456789' } }, partitions: [0, 1] }, 'shown');
    expect(lines).toEqual(['seqchain: warn: shown (config={"api":{"token":"[redacted]"}}, partitions=[0,1])\n']);
  });
});
