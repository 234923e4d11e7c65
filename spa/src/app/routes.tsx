import { useEffect, type ReactNode } from 'react';
import type { Session } from '../features/auth/useSession';
import { HomeRoute } from './routes/home';
import { NotFoundRoute } from './routes/not-found';
import { SessionsRoute } from './routes/sessions';

interface RouteDefinition {
  paths: string[];
  /** The page's own part of the document title. */
  title: string;
  render: (session: Session) => ReactNode;
}

export const APP_NAME = 'BFF Demo';

export const NOT_FOUND_TITLE = 'Page not found';

export const routes: RouteDefinition[] = [
  { paths: ['/', '/index.html'], title: 'Home', render: (session) => <HomeRoute session={session} /> },
  { paths: ['/sessions'], title: 'Your sessions', render: (session) => <SessionsRoute session={session} /> },
];

function normalize(pathname: string): string {
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
}

export function titleFor(pathname: string): string {
  const route = routes.find((r) => r.paths.includes(normalize(pathname)));
  return `${route ? route.title : NOT_FOUND_TITLE} · ${APP_NAME}`;
}

export function AppRoutes({ session, pathname }: { session: Session; pathname: string }) {
  const path = normalize(pathname);
  const route = routes.find((r) => r.paths.includes(path));

  useEffect(() => {
    document.title = titleFor(pathname);
  }, [pathname]);

  return <>{route ? route.render(session) : <NotFoundRoute />}</>;
}
