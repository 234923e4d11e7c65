import { Component, type ReactNode } from 'react';
import { Button } from './Button';
import { Card } from './Card';

interface ErrorBoundaryState {
  failed: boolean;
}

/**
 * The last line of defence: when rendering throws (say, an answer of a shape nobody expected), the page says so
 * and offers a reload instead of going blank.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, ErrorBoundaryState> {
  state: ErrorBoundaryState = { failed: false };

  static getDerivedStateFromError(): ErrorBoundaryState {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) {
      return this.props.children;
    }
    return (
      <Card title="Something went wrong">
        <div className="message message--error" role="alert" data-testid="app-error">
          <p className="message__title">This page ran into an error and cannot carry on.</p>
          <p className="message__detail">Reload the page to start it again.</p>
        </div>
        <div className="actions">
          <Button onClick={() => window.location.reload()} data-testid="reload">
            Reload
          </Button>
        </div>
      </Card>
    );
  }
}
