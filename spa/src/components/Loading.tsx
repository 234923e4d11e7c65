export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite" data-testid="loading">
      {label}
    </p>
  );
}
