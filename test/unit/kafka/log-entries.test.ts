import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLine, WaitNotes } from '../../../src/kafka/log-entries.js';

const entry = (namespace: string, level: logLevel, message: string, extra: Record<string, unknown> = {}): Pick<LogEntry, 'namespace' | 'level' | 'log'> => ({
  namespace,
  level,
  log: { timestamp: '2026-12-03T00:00:00.000Z', message, ...extra },
});

describe('kafkajs log entries', () => {
  it('conditions kafkajs retries by itself go to debug and say what is being waited for', () => {
    const refused = kafkaLogLine(
      entry('Connection', logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1', stack: 'Error: …' }),
    );
    expect(refused).toEqual({
      level: 'debug',
      wait: { key: 'connect', what: 'Kafka broker 127.0.0.1:1 to accept connections (connect ECONNREFUSED 127.0.0.1:1)' },
    });
    expect(kafkaLogLine(entry('Connection', logLevel.ERROR, 'Connection timeout', { broker: 'b:9092' })).level).toBe('debug');
    const seed = kafkaLogLine(
      entry(
        'BrokerPool',
        logLevel.ERROR,
        'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:1',
        { retryCount: 0 },
      ),
    );
    expect(seed).toEqual({ level: 'debug', wait: { key: 'connect', what: 'a Kafka broker to accept connections (connect ECONNREFUSED 127.0.0.1:1)' } });

    const loading = kafkaLogLine(
      entry('Connection', logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', {
        error: "The coordinator is loading and hence can't process requests for this group",
        correlationId: 3,
      }),
    );
    expect(loading).toEqual({
      level: 'debug',
      wait: {
        key: "The coordinator is loading and hence can't process requests for this group",
        what: "Kafka: The coordinator is loading and hence can't process requests for this group",
      },
    });
    const moved = kafkaLogLine(
      entry('Connection', logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', { error: 'This is not the correct coordinator for this group' }),
    );
    expect(moved.level).toBe('debug');

    expect(
      kafkaLogLine(
        entry(
          'Producer',
          logLevel.ERROR,
          'Failed to send messages: There is no leader for this topic-partition as we are in the middle of a leadership election',
        ),
      ),
    ).toMatchObject({ level: 'debug', wait: { what: expect.stringContaining('leadership election') } });
    expect(kafkaLogLine(entry('Runner', logLevel.WARN, 'The group is rebalancing, re-joining', { groupId: 'g' }))).toMatchObject({
      level: 'debug',
      wait: { key: 'rebalance' },
    });
    // kafkajs calls these non-retriable, but its runner rejoins the group on each
    const heartbeat = kafkaLogLine(
      entry('Connection', logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', { error: 'The group is rebalancing, so a rejoin is needed' }),
    );
    expect(heartbeat).toEqual({ level: 'debug', wait: { key: 'rebalance', what: 'the consumer group to rebalance' } });
    expect(
      kafkaLogLine(entry('Connection', logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', { error: 'The coordinator is not aware of this member' }))
        .level,
    ).toBe('debug');
  });

  it("kafkajs' warning about bounded retries of an idempotent producer goes to debug: seqchain's are transactional", () => {
    expect(kafkaLogLine(entry('Producer', logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'))).toEqual({
      level: 'debug',
    });
  });

  it('a producer fenced by a newer one with its transactional.id is a warning, not an error: every hand-over does it', () => {
    const fenced =
      "Producer attempted an operation with an old epoch. Either there is a newer producer with the same transactionalId, or the producer's transaction has been expired by the broker";
    expect(kafkaLogLine(entry('Connection', logLevel.ERROR, 'Response AddPartitionsToTxn(key: 24, version: 1)', { error: fenced }))).toEqual({ level: 'warn' });
    expect(kafkaLogLine(entry('Producer', logLevel.ERROR, fenced, { retryCount: 0 }))).toEqual({ level: 'warn' });
  });

  it('anything else keeps its level: a non-retriable response, a crash, a warning, info', () => {
    expect(
      kafkaLogLine(
        entry('Connection', logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', {
          error: 'Not authorized to access topics: [Topic authorization failed]',
        }),
      ),
    ).toEqual({ level: 'error' });
    expect(kafkaLogLine(entry('Consumer', logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: boom'))).toEqual({ level: 'error' });
    expect(kafkaLogLine(entry('ConsumerGroup', logLevel.WARN, 'Consumer group received unsubscribed topics'))).toEqual({ level: 'warn' });
    expect(kafkaLogLine(entry('Consumer', logLevel.INFO, 'Starting'))).toEqual({ level: 'info' });
    expect(kafkaLogLine(entry('Connection', logLevel.DEBUG, 'Request Metadata'))).toEqual({ level: 'debug' });
  });

  it('says a wait once, and again only after it was not seen for the quiet period', () => {
    let now = 0;
    const notes = new WaitNotes(60_000, () => now);
    expect(notes.fresh('connect')).toBe(true);
    now = 30_000;
    expect(notes.fresh('connect')).toBe(false);
    expect(notes.fresh('rebalance')).toBe(true);
    now = 89_000; // 59 s after the last sighting: the same outage
    expect(notes.fresh('connect')).toBe(false);
    now = 150_000;
    expect(notes.fresh('connect')).toBe(true);
  });
});
