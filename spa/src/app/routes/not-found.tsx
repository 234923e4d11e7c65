import { Card } from '../../components/Card';

export function NotFoundRoute() {
  return (
    <Card title="Page not found">
      <p>
        There is nothing here. <a href="/">Go to the start page</a>.
      </p>
    </Card>
  );
}
