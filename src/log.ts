// JSON logs (pino). Secrets are redacted by path wherever they might appear.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'herald' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination as any,
  );
}
