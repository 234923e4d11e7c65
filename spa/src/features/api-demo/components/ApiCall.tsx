import { useCallback, useEffect, useRef, useState } from 'react';
import { Button } from '../../../components/Button';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { type ApiError, toApiError } from '../../../lib/api';
import type { WhoAmI } from '../api';

export interface ApiCallProps {
  label: string;
  call: () => Promise<WhoAmI>;
  /** Prefix of the data-testids: `<prefix>-result`, `<prefix>-sub`, `<prefix>-error`. */
  testIdPrefix: string;
  buttonTestId: string;
  variant?: 'primary' | 'secondary';
}

type CallState =
  | { status: 'idle' }
  | { status: 'pending' }
  | { status: 'done'; data: WhoAmI }
  | { status: 'failed'; error: ApiError };

/** A button that calls an endpoint and shows its JSON answer or its problem. */
export function ApiCall({ label, call, testIdPrefix, buttonTestId, variant = 'primary' }: ApiCallProps) {
  const [state, setState] = useState<CallState>({ status: 'idle' });
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async () => {
    setState({ status: 'pending' });
    try {
      const data = await call();
      if (mounted.current) setState({ status: 'done', data });
    } catch (error) {
      // A 401 has already ended the session (see useSession); this panel is
      // going away, so there is nothing more to show here.
      if (mounted.current) setState({ status: 'failed', error: toApiError(error) });
    }
  }, [call]);

  return (
    <div className="api-call">
      <div className="actions">
        <Button variant={variant} onClick={run} busy={state.status === 'pending'} data-testid={buttonTestId}>
          {label}
        </Button>
      </div>
      {state.status === 'pending' && <p className="muted" role="status">Calling…</p>}
      {state.status === 'failed' && <ErrorMessage error={state.error} testId={`${testIdPrefix}-error`} />}
      {state.status === 'done' && (
        <div className="api-call__result">
          {state.data?.sub !== undefined && (
            <p>
              Subject: <code data-testid={`${testIdPrefix}-sub`}>{String(state.data.sub)}</code>
            </p>
          )}
          <pre data-testid={`${testIdPrefix}-result`}>{JSON.stringify(state.data, null, 2)}</pre>
        </div>
      )}
    </div>
  );
}
