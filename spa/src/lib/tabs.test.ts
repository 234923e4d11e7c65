import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTabChannel, type TabChannel, type TabMessage } from './tabs';

const opened: TabChannel[] = [];
afterEach(() => {
  opened.splice(0).forEach((channel) => channel.close());
});

function open(onMessage: (message: TabMessage) => void, name: string) {
  const channel = openTabChannel(onMessage, name);
  opened.push(channel);
  return channel;
}

describe('openTabChannel', () => {
  it.runIf(typeof BroadcastChannel !== 'undefined')('delivers messages to the other tabs only, and only its own shapes', async () => {
    const name = `test-${Math.random()}`;
    const here = vi.fn();
    const there = vi.fn();
    const sender = open(here, name);
    open(there, name);
    const stranger = new BroadcastChannel(name);

    sender.post({ type: 'signed-out', detail: 'bye' });
    stranger.postMessage({ type: 'something-else' });
    stranger.postMessage('signed-out');
    stranger.postMessage({ type: 'expiry', expiresAt: 'tomorrow' });
    stranger.postMessage({ type: 'signed-out', detail: { reason: 'not text' } });
    stranger.postMessage({ type: 'expiry', expiresAt: 5 });

    await vi.waitFor(() => expect(there).toHaveBeenCalledTimes(2));
    expect(there.mock.calls).toEqual([[{ type: 'signed-out', detail: 'bye' }], [{ type: 'expiry', expiresAt: 5 }]]);
    expect(here).toHaveBeenCalledTimes(1);
    stranger.close();
  });

  it('is a quiet no-op where BroadcastChannel does not exist', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const channel = openTabChannel(vi.fn());

    expect(() => channel.post({ type: 'signed-in' })).not.toThrow();
    expect(() => channel.close()).not.toThrow();
  });
});
