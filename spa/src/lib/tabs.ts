/**
 * Messages between the app's tabs and windows in one browser (same origin),
 * over a BroadcastChannel. A browser without BroadcastChannel gets a channel
 * that sends nothing: each tab then stays correct on its own, through its
 * re-checks on focus.
 */
export type TabMessage =
  /** This tab learnt that the session is over (signed out, ended elsewhere, timed out). */
  | { type: 'signed-out'; detail?: string }
  /** This tab signed in (or found a session): the others should look again. */
  | { type: 'signed-in' }
  /** The session's end as the server last reported it, in epoch milliseconds. */
  | { type: 'expiry'; expiresAt: number };

export interface TabChannel {
  post: (message: TabMessage) => void;
  close: () => void;
}

export const TAB_CHANNEL_NAME = 'bff-session';

function isTabMessage(value: unknown): value is TabMessage {
  if (value === null || typeof value !== 'object') return false;
  const { type, detail } = value as { type?: unknown; detail?: unknown };
  // The detail is shown as text: anything but a string would crash the page that renders it.
  if (type === 'signed-out') return detail === undefined || typeof detail === 'string';
  if (type === 'signed-in') return true;
  return type === 'expiry' && typeof (value as { expiresAt?: unknown }).expiresAt === 'number';
}

export function openTabChannel(onMessage: (message: TabMessage) => void, name = TAB_CHANNEL_NAME): TabChannel {
  if (typeof BroadcastChannel === 'undefined') {
    return { post: () => undefined, close: () => undefined };
  }
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent) => {
    // Only our own shapes: anything else on the channel is ignored.
    if (isTabMessage(event.data)) onMessage(event.data);
  };
  let closed = false;
  return {
    post: (message) => {
      if (!closed) channel.postMessage(message);
    },
    close: () => {
      closed = true;
      channel.close();
    },
  };
}
