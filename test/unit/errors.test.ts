import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ChainBrokenError,
  ConfigError,
  ErrorCodes,
  MalformedMessageError,
  SealError,
  SeqchainError,
  isSeqchainError,
  type ErrorCode,
} from '../../src/errors.js';

// docs/ERRORS.md, read from the repository root (two folders above this file).
const ERRORS_MD = readFileSync(fileURLToPath(new URL('../../docs/ERRORS.md', import.meta.url)), 'utf8');
const headings = [...ERRORS_MD.matchAll(/^##[ \t]+(.+?)[ \t]*$/gm)].map((m) => m[1]!);
const codes = Object.keys(ErrorCodes) as ErrorCode[];

describe('ErrorCodes catalogue', () => {
  it('is not empty', () => {
    expect(codes.length).toBeGreaterThan(0);
  });

  it.each(codes)('%s equals its key and starts with SEQCHAIN_ERR_', (code) => {
    expect(ErrorCodes[code]).toBe(code);
    expect(code).toMatch(/^SEQCHAIN_ERR_[A-Z0-9_]+$/);
  });

  it.each(codes)('%s has a "## %s" section in docs/ERRORS.md', (code) => {
    expect(headings).toContain(code);
  });

  it('every "##" heading in docs/ERRORS.md is a real code, each documented once', () => {
    for (const heading of headings) expect(codes, `heading "## ${heading}"`).toContain(heading);
    expect(new Set(headings).size).toBe(headings.length);
  });

  it('every section says whether retrying helps', () => {
    const sections = ERRORS_MD.split(/^##[ \t]+/m).slice(1);
    for (const section of sections) expect(section, section.split('\n')[0]).toMatch(/retr/i);
  });
});

describe('SeqchainError', () => {
  it('carries code, retriable, details and cause', () => {
    const cause = new Error('socket closed');
    const err = new SeqchainError('SEQCHAIN_ERR_UNREACHABLE', 'kafka at h:1 did not answer', { retriable: true, cause, details: { broker: 'h:1' } });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SeqchainError');
    expect(err.code).toBe('SEQCHAIN_ERR_UNREACHABLE');
    expect(err.message).toBe('kafka at h:1 did not answer');
    expect(err.retriable).toBe(true);
    expect(err.details).toEqual({ broker: 'h:1' });
    expect(err.cause).toBe(cause);
    expect(isSeqchainError(err)).toBe(true);
  });

  it('defaults: not retriable, empty details, no cause', () => {
    const err = new SeqchainError('SEQCHAIN_ERR_USAGE', 'misuse');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({});
    expect('cause' in err).toBe(false);
  });

  it('isSeqchainError rejects other errors and values', () => {
    expect(isSeqchainError(new Error('x'))).toBe(false);
    expect(isSeqchainError({ code: 'SEQCHAIN_ERR_CONFIG', retriable: false })).toBe(false);
    expect(isSeqchainError(null)).toBe(false);
  });
});

describe('subclasses', () => {
  it('ConfigError: SEQCHAIN_ERR_CONFIG, not retriable, details kept', () => {
    const err = new ConfigError('bad key', { key: 'kafka.brokers' });
    expect(err).toBeInstanceOf(SeqchainError);
    expect(err.name).toBe('ConfigError');
    expect(err.code).toBe('SEQCHAIN_ERR_CONFIG');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ key: 'kafka.brokers' });
  });

  it('MalformedMessageError: names the format, never retriable', () => {
    const err = new MalformedMessageError('digest batch v1', 'magic is "XXXX"', { position: 0 });
    expect(err.code).toBe('SEQCHAIN_ERR_MALFORMED_MESSAGE');
    expect(err.message).toBe('digest batch v1: magic is "XXXX"');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ format: 'digest batch v1', position: 0 });
  });

  it('ChainBrokenError is never retriable', () => {
    const err = new ChainBrokenError('link at seq 7 does not hold', { seq: '7' });
    expect(err).toBeInstanceOf(SeqchainError);
    expect(err.name).toBe('ChainBrokenError');
    expect(err.code).toBe('SEQCHAIN_ERR_CHAIN_BROKEN');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ seq: '7' });
  });

  it('SealError: one of the SEQCHAIN_ERR_SEAL_* codes, never retriable, details kept', () => {
    const err = new SealError('SEQCHAIN_ERR_SEAL_OPEN_FAILED', 'seq 3 (partition 0, offset 2): does not open', { keyId: 'k1', seq: '3' });
    expect(err).toBeInstanceOf(SeqchainError);
    expect(err.name).toBe('SealError');
    expect(err.code).toBe('SEQCHAIN_ERR_SEAL_OPEN_FAILED');
    expect(err.retriable).toBe(false);
    expect(err.details).toEqual({ keyId: 'k1', seq: '3' });
  });
});
