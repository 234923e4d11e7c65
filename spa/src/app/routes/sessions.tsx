import { Loading } from '../../components/Loading';
import { SessionCheckFailed } from '../../features/auth/components/SessionCheckFailed';
import { SignedOut } from '../../features/auth/components/SignedOut';
import { UserPanel } from '../../features/auth/components/UserPanel';
import type { Session } from '../../features/auth/useSession';
import { SessionsPage } from '../../features/sessions/components/SessionsPage';

export function SessionsRoute({ session }: { session: Session }) {
  const { state } = session;

  switch (state.status) {
    case 'loading':
      return <Loading />;
    case 'error':
      return <SessionCheckFailed error={state.error} onRetry={session.retry} />;
    case 'anonymous':
      return <SignedOut onSignIn={session.signIn} ended={state.ended} />;
    case 'authenticated':
      return (
        <>
          <UserPanel
            user={state.user}
            expiresAt={state.expiresAt}
            onSignOut={session.signOut}
            onExpire={session.refresh}
            onStay={session.stayActive}
            showSessionsLink={false}
          />
          <SessionsPage
            onSignedOutEverywhere={() => session.ended({ detail: 'You signed out everywhere.' })}
            onSignOutHere={session.signOut}
          />
        </>
      );
  }
}
