import dayjs from 'dayjs';

/** Local time for display. */
export function formatLocal(iso: string): string {
  return dayjs(iso).format('YYYY-MM-DD HH:mm:ss');
}

/** The UTC value, shown on hover. */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString();
}

export function formatSuccessRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${rate.toFixed(1)}%`;
}

/** A local calendar day (YYYY-MM-DD) as the ISO instant it starts or ends, for the API's date filters. */
export function localDayBound(day: string | null | undefined, bound: 'start' | 'end'): string | undefined {
  if (!day) return undefined;
  const date = dayjs(day); // dayjs reads YYYY-MM-DD as a local day
  if (!date.isValid()) return undefined;
  return (bound === 'start' ? date.startOf('day') : date.endOf('day')).toISOString();
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
