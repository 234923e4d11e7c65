import { ErrorBoundary } from '../components/ErrorBoundary';
import { useSession } from '../features/auth/useSession';
import { navigateTo, type Navigate } from '../lib/navigation';
import { AppRoutes } from './routes';

export interface AppProps {
  /** Full-page navigation; replaceable in tests. */
  navigate?: Navigate;
}

export function App({ navigate = navigateTo }: AppProps) {
  return (
    <div className="app">
      <header className="app__header">
        <h1>BFF Demo</h1>
      </header>
      <main className="app__main">
        <ErrorBoundary>
          <Pages navigate={navigate} />
        </ErrorBoundary>
      </main>
    </div>
  );
}

/** The session and the page; inside the error boundary, so that nothing they render can blank the app. */
function Pages({ navigate }: { navigate: Navigate }) {
  const session = useSession({ navigate });
  return <AppRoutes session={session} pathname={window.location.pathname} />;
}
