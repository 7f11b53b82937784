import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../../src/errors.js';
import { decodeLivenessEvent, encodeLivenessEvent, LIVENESS_KEEPALIVE } from '../../../src/wire/liveness-event.js';
import { thrown } from '../../helpers/thrown.js';

const identity = { replicaId: 'r1', session: '0000018c2f1a0003', pid: 4242 };
/** v1 on the wire: what peers of every later version must keep reading. */
const V1 = 'event: alive\ndata: {"v":1,"replicaId":"r1","session":"0000018c2f1a0003","pid":4242}\n\n';

const fieldOf = (text: string): unknown => thrown(MalformedMessageError, () => decodeLivenessEvent(text)).details.field;

describe('liveness event v1 (GET /v1/liveness, server-sent events)', () => {
  it('byte-exact encoding and round trip', () => {
    expect(encodeLivenessEvent(identity)).toBe(V1);
    expect(decodeLivenessEvent(V1)).toEqual(identity);
  });

  it('is null until the blank line that dispatches the event has arrived', () => {
    for (let cut = 0; cut < V1.length - 1; cut++) expect(decodeLivenessEvent(V1.slice(0, cut))).toBeNull();
  });

  it('reads past comments and keepalives, CRLF line ends, and data split over lines as the SSE rules say', () => {
    expect(decodeLivenessEvent(`${LIVENESS_KEEPALIVE}: hello\r\n\r\n${V1.replace(/\n/g, '\r\n')}`)).toEqual(identity);
    const split = 'event:alive\ndata: {"v":1,"replicaId":"r1",\ndata: "session":"0000018c2f1a0003","pid":4242}\n\n';
    expect(decodeLivenessEvent(split)).toEqual(identity);
  });

  it('names what is wrong: another event, data that is not JSON, an unknown version, a bad field', () => {
    expect(fieldOf('data: {}\n\n')).toBe('event');
    expect(fieldOf('event: ping\ndata: {}\n\n')).toBe('event');
    expect(fieldOf('event: alive\ndata: {nope\n\n')).toBe('data');
    expect(fieldOf(V1.replace('"v":1', '"v":2'))).toBe('v');
    expect(fieldOf(V1.replace('"replicaId":"r1"', '"replicaId":""'))).toBe('replicaId');
    expect(fieldOf(V1.replace('0000018c2f1a0003', '0000018C2F1A0003'))).toBe('session');
    expect(fieldOf(V1.replace('0000018c2f1a0003', '18c2f1a0003'))).toBe('session');
    expect(fieldOf(V1.replace('4242', '-1'))).toBe('pid');
    expect(thrown(MalformedMessageError, () => decodeLivenessEvent('event: ping\n\n')).message).toMatch(/^liveness event v1: first event is 'ping'/);
  });
});
