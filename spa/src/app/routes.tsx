import type { ReactNode } from 'react';
import type { Session } from '../features/auth/useSession';
import { HomeRoute } from './routes/home';
import { NotFoundRoute } from './routes/not-found';
import { SessionsRoute } from './routes/sessions';

interface RouteDefinition {
  paths: string[];
  render: (session: Session) => ReactNode;
}

export const routes: RouteDefinition[] = [
  { paths: ['/', '/index.html'], render: (session) => <HomeRoute session={session} /> },
  { paths: ['/sessions'], render: (session) => <SessionsRoute session={session} /> },
];

function normalize(pathname: string): string {
  return pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
}

export function AppRoutes({ session, pathname }: { session: Session; pathname: string }) {
  const path = normalize(pathname);
  const route = routes.find((r) => r.paths.includes(path));
  return <>{route ? route.render(session) : <NotFoundRoute />}</>;
}
