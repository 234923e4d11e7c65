import { Loading } from '../../components/Loading';
import { AppApiDemo, UserApiDemo } from '../../features/api-demo/components/ApiDemo';
import { SessionCheckFailed } from '../../features/auth/components/SessionCheckFailed';
import { SignedOut } from '../../features/auth/components/SignedOut';
import { UserPanel } from '../../features/auth/components/UserPanel';
import type { Session } from '../../features/auth/useSession';

export function HomeRoute({ session }: { session: Session }) {
  const { state } = session;

  switch (state.status) {
    case 'loading':
      return <Loading />;
    case 'error':
      return <SessionCheckFailed error={state.error} onRetry={session.retry} />;
    case 'anonymous':
      return (
        <>
          <SignedOut onSignIn={session.signIn} ended={state.ended} />
          <AppApiDemo />
        </>
      );
    case 'authenticated':
      return (
        <>
          <UserPanel
            user={state.user}
            expiresAt={state.expiresAt}
            onSignOut={session.signOut}
            onExpire={session.refresh}
            onStay={session.stayActive}
          />
          <UserApiDemo />
          <AppApiDemo />
        </>
      );
  }
}
