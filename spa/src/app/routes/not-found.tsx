import { Card } from '../../components/Card';

export function NotFoundRoute() {
  return (
    <Card title="Page not found">
      <p data-testid="not-found">
        There is nothing at this address. <a href="/">Go to the start page</a> or see{' '}
        <a href="/sessions">your sessions</a>.
      </p>
    </Card>
  );
}
