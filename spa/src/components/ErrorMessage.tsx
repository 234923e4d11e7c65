import type { ApiError } from '../lib/api';

export interface ErrorMessageProps {
  error: ApiError;
  testId: string;
}

/** One line with the problem's title, plus its detail when there is one. */
export function ErrorMessage({ error, testId }: ErrorMessageProps) {
  const detail = error.problem.detail;
  return (
    <div className="message message--error" role="alert">
      <p className="message__title" data-testid={testId}>
        {error.displayMessage}
      </p>
      {detail && detail !== error.displayMessage && <p className="message__detail">{detail}</p>}
    </div>
  );
}
