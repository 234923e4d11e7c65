import { Card } from '../../../components/Card';
import { getAppWhoAmI, getUserWhoAmI } from '../api';
import { ApiCall } from './ApiCall';
import { ApiPoller } from './ApiPoller';

/** Calls the API as the signed-in user. */
export function UserApiDemo() {
  return (
    <Card title="Call the API as you">
      <p className="muted">The BFF attaches your access token; the browser never sees it.</p>
      <ApiCall label="Call API" call={getUserWhoAmI} testIdPrefix="api" buttonTestId="call-api" />
      <ApiPoller call={getUserWhoAmI} />
    </Card>
  );
}

/** Calls the API with the app's own identity; works signed out too. */
export function AppApiDemo() {
  return (
    <Card title="Call the API as the app">
      <p className="muted">The BFF attaches a token for the app itself, without a user.</p>
      <ApiCall
        label="Call API as the app"
        call={getAppWhoAmI}
        testIdPrefix="public-api"
        buttonTestId="call-public-api"
        variant="secondary"
      />
    </Card>
  );
}
