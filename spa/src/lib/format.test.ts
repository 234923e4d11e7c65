import { describe, expect, it } from 'vitest';
import { describeAddress, formatDuration, formatRelative } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '00:00'],
    [5, '00:05'],
    [65, '01:05'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [36000, '10:00:00'],
    [12.9, '00:12'],
    [-3, '00:00'],
    [Number.NaN, '00:00'],
  ])('formats %s seconds as %s', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');
  const at = (offsetSeconds: number) => new Date(now + offsetSeconds * 1000).toISOString();

  it.each([
    [-5, 'just now'],
    [-59, 'just now'],
    [-61, '1 minute ago'],
    [-150, '2 minutes ago'],
    [-3 * 3600, '3 hours ago'],
    [-2 * 86400, '2 days ago'],
    [30, 'in a moment'],
    [15 * 60, 'in 15 minutes'],
  ])('%s seconds from now reads %s', (offset, expected) => {
    expect(formatRelative(at(offset), now)).toBe(expected);
  });

  it('leaves an unreadable time as it is', () => {
    expect(formatRelative('not a time', now)).toBe('not a time');
  });
});

describe('describeAddress', () => {
  it.each([
    ['::1', 'this computer'],
    ['127.0.0.1', 'this computer'],
    ['127.10.0.3', 'this computer'],
    ['::ffff:127.0.0.1', 'this computer'],
    ['203.0.113.5', '203.0.113.5'],
    ['2001:db8::1', '2001:db8::1'],
  ])('%s is %s', (address, expected) => {
    expect(describeAddress(address)).toBe(expected);
  });

  it('has nothing to say without an address', () => {
    expect(describeAddress(undefined)).toBeUndefined();
    expect(describeAddress('')).toBeUndefined();
  });
});
