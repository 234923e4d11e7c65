import { useSession } from '../features/auth/useSession';
import { navigateTo, type Navigate } from '../lib/navigation';
import { AppRoutes } from './routes';

export interface AppProps {
  /** Full-page navigation; replaceable in tests. */
  navigate?: Navigate;
}

export function App({ navigate = navigateTo }: AppProps) {
  const session = useSession({ navigate });

  return (
    <div className="app">
      <header className="app__header">
        <h1>BFF Demo</h1>
      </header>
      <main className="app__main">
        <AppRoutes session={session} pathname={window.location.pathname} />
      </main>
    </div>
  );
}
