import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../../lib/api';
import { mockFetch } from '../../../testing/fetch';
import { ApiPoller } from './ApiPoller';

function visibility(state: DocumentVisibilityState) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(state);
  document.dispatchEvent(new Event('visibilitychange'));
}

async function switchOn() {
  await act(async () => {
    fireEvent.click(screen.getByTestId('poll-toggle'));
  });
}

async function wait(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe('ApiPoller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls on a timer while on and counts answers and distinct tokens', async () => {
    const answers = [{ jti: 'a' }, { jti: 'a' }, { jti: 'b' }];
    const call = vi.fn(async () => answers.shift() ?? Promise.reject(new Error('down')));
    render(<ApiPoller call={call} intervalMs={1000} />);

    expect(call).not.toHaveBeenCalled();
    await act(async () => {
      fireEvent.click(screen.getByTestId('poll-toggle'));
    });
    for (let i = 0; i < 3; i++) {
      await act(async () => {
        await vi.advanceTimersByTimeAsync(1000);
      });
    }

    expect(call).toHaveBeenCalledTimes(4);
    expect(screen.getByTestId('poll-ok').textContent).toBe('3');
    expect(screen.getByTestId('poll-failed').textContent).toBe('1');
    expect(screen.getByTestId('poll-tokens').textContent).toBe('2');
  });

  it('does not call while the tab is hidden, and carries on when it is shown again', async () => {
    const call = vi.fn(async () => ({ jti: 'a' }));
    render(<ApiPoller call={call} intervalMs={1000} />);
    visibility('hidden');

    await switchOn();
    await wait(10_000);
    expect(call).not.toHaveBeenCalled();

    await act(async () => visibility('visible'));
    await wait(0);
    expect(call).toHaveBeenCalledTimes(1);

    await act(async () => visibility('hidden'));
    await wait(10_000);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('waits as long as Retry-After says after a 503', async () => {
    const { callsTo } = mockFetch({
      '/api/whoami': [{ status: 503, body: { title: 'Service Unavailable' }, headers: { 'Retry-After': '10' } }, { body: { jti: 'a' } }],
    });
    render(<ApiPoller call={() => api.get('/api/whoami')} intervalMs={1000} />);

    await switchOn();
    await wait(0);
    expect(callsTo('/api/whoami')).toHaveLength(1);
    expect(screen.getByTestId('poll-failed').textContent).toBe('1');

    await wait(9_900);
    expect(callsTo('/api/whoami')).toHaveLength(1);
    await wait(100);
    expect(callsTo('/api/whoami')).toHaveLength(2);
    expect(screen.getByTestId('poll-ok').textContent).toBe('1');

    // Answered again: back to the normal interval.
    await wait(1000);
    expect(callsTo('/api/whoami')).toHaveLength(3);
  });

  it('backs off after failures without Retry-After', async () => {
    const call = vi.fn(async () => Promise.reject(new Error('down')));
    render(<ApiPoller call={call} intervalMs={1000} />);

    await switchOn();
    await wait(1999);
    expect(call).toHaveBeenCalledTimes(1);
    await wait(1);
    expect(call).toHaveBeenCalledTimes(2);
    await wait(3999);
    expect(call).toHaveBeenCalledTimes(2);
    await wait(1);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('stops calling when switched off', async () => {
    const call = vi.fn(async () => ({ jti: 'a' }));
    render(<ApiPoller call={call} intervalMs={1000} />);

    await act(async () => {
      fireEvent.click(screen.getByTestId('poll-toggle'));
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId('poll-toggle'));
    });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5000);
    });

    expect(call).toHaveBeenCalledTimes(1);
  });
});
