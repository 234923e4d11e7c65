import { describe, expect, it } from 'vitest';
import { describeEvent } from './api';

describe('describeEvent', () => {
  it.each([
    [{ kind: 'created' }, 'Signed in'],
    [{ kind: 'refreshed' }, 'Session renewed'],
    [{ kind: 'ended', reason: 'EndedFromOtherSession' }, 'Session ended: signed out from another session'],
    [{ kind: 'ended', reason: 'BackChannel' }, 'Session ended: signed out at the identity provider'],
    [{ kind: 'ended', reason: 'SomethingNew' }, 'Session ended: SomethingNew'],
    [{ kind: 'ended' }, 'Session ended'],
  ])('describes %o as %s', (event, expected) => {
    expect(describeEvent({ at: '', sessionId: 's', current: false, ...event })).toBe(expected);
  });
});
