// Logs (pino): JSON lines for collectors, or one readable line per entry on a terminal
// (HERALD_LOG_FORMAT). Secrets are redacted by path wherever they might appear, before either format.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogFormat = 'pretty' | 'json';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  '*.authorization',
  'secret',
  'password',
  '*.secret',
  '*.password',
  '*.auth.secret',
  '*.auth.password',
  'apiKey',
  'secretKey',
];

export interface LoggerOptions {
  format?: LogFormat;
  /** Where lines go (stdout by default). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  const destination: DestinationStream = options.format === 'pretty' ? prettyDestination(out) : (out as DestinationStream);
  return pino({ level, base: { service: 'herald' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'err']);

/** A pino destination that turns each JSON line into `12:00:00.123 INFO  message key=value …`. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        out.write(line);
        return;
      }
      out.write(`${prettyLine(entry, out.isTTY === true)}\n`);
    },
  };
}

export function prettyLine(entry: Record<string, unknown>, isColored = false): string {
  const level = Number(entry.level);
  const name = (LEVELS[level] ?? String(entry.level)).padEnd(5);
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${showValue(value)}`);
  let text = [time, isColored ? `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m` : name, entry.msg ?? '', ...fields].filter((p) => p !== '').join(' ');
  const err = entry.err as { message?: string; stack?: string } | undefined;
  if (err) text += `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).split('\n').join('\n    ')}`;
  return text;
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}
