import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiPoller } from './ApiPoller';

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
