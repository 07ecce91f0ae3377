// The only place that talks HTTP. Relative URLs, so the UI works on any host and port.
import type { FieldError } from './types';
import { getApiKey, getTenant } from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

/** Called on any 401 from /v1 (the app sends the user back to sign-in). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

export type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

interface RequestOptions {
  body?: unknown;
  /** Use this key instead of the stored one (the sign-in check). */
  apiKey?: string;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const apiKey = options.apiKey ?? getApiKey() ?? '';
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${apiKey}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  // The tenant an admin chose in the header; tenant keys and portal sessions never set one.
  const tenant = options.apiKey === undefined ? getTenant() : null;
  if (tenant) headers['herald-tenant'] = tenant;
  let response: Response;
  try {
    response = await fetch(`/v1${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach Herald. Check that the server is running, then try again.');
  }
  if (response.status === 204) return undefined as T;
  const body = await readJson(response);
  if (response.ok) return body as T;
  const error = toApiError(response.status, body);
  if (response.status === 401 && options.apiKey === undefined) onUnauthorized();
  throw error;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; details?: FieldError[] } } | null)?.error;
  if (error && typeof error.message === 'string') {
    return new ApiError(status, error.code ?? `http_${status}`, error.message, error.details ?? []);
  }
  return new ApiError(status, `http_${status}`, `Herald answered HTTP ${status}.`);
}

/** The API's own message and, when it names fields, each field's reason (e.g. why a date range was refused). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const reasons = error.details.map((detail) => detail.message).filter((reason) => reason && !error.message.includes(reason));
    return [error.message, ...reasons].map(sentence).join(' ');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * A 4xx: the request was refused for a reason the user can act on; sending it again as it is will not
 * help. Not a timeout (408) or a rate limit (429): those pass on a later try.
 */
export function isRefusal(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
