// The error responses a /v1 route documents, decided in one place from what the route has, so
// that the OpenAPI document lists the errors each operation can return and no others.
import Type from 'typebox';
import { ErrorOut } from './schemas.ts';

/**
 * What a route has that can fail:
 * - `body`: a JSON body (400 validation_error / invalid_json, 413 payload_too_large, 415 unsupported_media_type)
 * - `query`: validated query parameters (400 validation_error)
 * - `id`: an id in the path (404 not_found)
 * - `lookup`: an id in the body that may name nothing (404 not_found)
 * - `conflict`: a state or uniqueness conflict (409 conflict)
 * - `path`: a value in the path checked for meaning, not an id that may name nothing (400 validation_error)
 */
export type RouteTrait = 'body' | 'query' | 'id' | 'lookup' | 'conflict' | 'path';

const described = (description: string) => Type.Object(ErrorOut.properties, { description });

const ERRORS = {
  400: described('validation_error (details name each bad field) or invalid_json'),
  401: described('unauthorized: no or a wrong "Authorization: Bearer <key>"'),
  403: described('forbidden: the key lacks the scope this operation needs, or names another tenant in Herald-Tenant'),
  404: described('not_found'),
  409: described('conflict'),
  413: described('payload_too_large'),
  415: described('unsupported_media_type: the body must be JSON'),
  429: described('rate_limited (HERALD_RATE_LIMIT): retry after the Retry-After header'),
};

type ErrorStatus = keyof typeof ERRORS;

const BY_TRAIT: Record<RouteTrait, ErrorStatus[]> = {
  body: [400, 413, 415],
  query: [400],
  id: [404],
  lookup: [404],
  conflict: [409],
  path: [400],
};

/** The error part of a /v1 route's `response` map: 401, 403 and 429 always, the rest by trait. */
export function errorsFor(...traits: RouteTrait[]): Partial<typeof ERRORS> {
  const statuses = new Set<ErrorStatus>([401, 403, 429, ...traits.flatMap((trait) => BY_TRAIT[trait])]);
  return Object.fromEntries([...statuses].sort().map((status) => [status, ERRORS[status]]));
}
