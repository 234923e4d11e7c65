const pad = (value: number) => String(value).padStart(2, '0');

/** Formats a number of seconds as `mm:ss`, or `h:mm:ss` from one hour up. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(Number.isFinite(totalSeconds) ? totalSeconds : 0));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${pad(minutes)}:${pad(rest)}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/**
 * A time relative to now, for people: "just now", "2 minutes ago", "in 5 hours",
 * "3 days ago". Under a minute either way is "just now" (or "in a moment").
 */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((at - now) / 1000);
  const size = Math.abs(seconds);
  if (size < 60) return seconds > 0 ? 'in a moment' : 'just now';
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
  for (const [unit, length] of UNITS) {
    if (size >= length) {
      return format.format(Math.trunc(seconds / length), unit);
    }
  }
  return format.format(Math.trunc(seconds / 60), 'minute');
}

/** Loopback addresses mean the person's own machine; anything else is shown as it is. */
export function describeAddress(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  const normalized = address.toLowerCase().replace(/^::ffff:/, '');
  if (normalized === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(normalized)) return 'this computer';
  return address;
}
