import { useId, type ReactNode } from 'react';

export interface CardProps {
  title: string;
  children: ReactNode;
  headingLevel?: 2 | 3;
}

export function Card({ title, children, headingLevel = 2 }: CardProps) {
  const headingId = useId();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className="card" aria-labelledby={headingId}>
      <Heading id={headingId} className="card__title">
        {title}
      </Heading>
      {children}
    </section>
  );
}
