// Shared by list routes: date filters, opaque cursors, pages.
import type { FieldError } from '../domain/errors.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const DAY_MS = 86_400_000;

/** start_date / end_date: YYYY-MM-DD is a whole UTC day (both inclusive), else a full ISO timestamp. */
export function parseDateRange(
  start: string | undefined,
  end: string | undefined,
  errors: FieldError[],
): { from?: number; to?: number } {
  const from = start === undefined ? undefined : parseDate('start_date', start, false, errors);
  const to = end === undefined ? undefined : parseDate('end_date', end, true, errors);
  if (from !== undefined && to !== undefined && from > to) {
    errors.push({ field: 'end_date', message: 'end_date must not be before start_date' });
  }
  return { from, to };
}

export function parseDate(field: string, value: string, isEnd: boolean, errors: FieldError[]): number | undefined {
  if (DAY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00.000Z`);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value)) return isEnd ? ms + DAY_MS - 1 : ms;
  } else if (ISO.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  errors.push({ field, message: `${field} must be a date YYYY-MM-DD or an ISO 8601 timestamp such as 2026-11-28T12:00:00Z (got "${value}")` });
  return undefined;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ before: lastId })).toString('base64url');
}

/** The id to continue before, or an error naming `cursor`. */
export function decodeCursor(cursor: string | undefined, isId: (id: string) => boolean, errors: FieldError[]): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const before = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')).before;
    if (typeof before === 'string' && isId(before)) return before;
  } catch {
    // reported below
  }
  errors.push({ field: 'cursor', message: 'cursor is not valid: pass the next_cursor value of the previous page unchanged' });
  return undefined;
}

/** Asks the store for one extra row to know whether another page exists. */
export function page<T extends { id: string }, O>(rows: T[], limit: number, present: (row: T) => O) {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: shown.map(present),
    next_cursor: hasMore ? encodeCursor(shown[shown.length - 1].id) : null,
  };
}
