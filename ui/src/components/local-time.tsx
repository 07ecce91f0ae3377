import { formatLocal, formatUtc } from '../format';

/**
 * A timestamp in the browser's local time, with the UTC ISO value on hover. `stacked` puts the time under
 * the date, for narrow table columns.
 */
export function LocalTime({ value, stacked = false }: { value: string | null | undefined; stacked?: boolean }) {
  if (!value) return <span>—</span>;
  const utc = formatUtc(value);
  const [day, time] = formatLocal(value).split(' ');
  return (
    <time dateTime={utc} title={`${utc} (UTC)`} className="local-time">
      {day}
      {stacked ? <br /> : ' '}
      {time}
    </time>
  );
}
