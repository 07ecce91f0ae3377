// The contract's error shape (API.md section 2), checked on any answer however it was obtained.
import assert from 'node:assert/strict';

/** Every error code Herald may answer, with its HTTP status: the contract's table plus README additions. */
export const STATUS_OF_CODE: Record<string, number> = {
  validation_error: 400,
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  expectation_failed: 417,
  rate_limited: 429,
  header_too_large: 431,
  internal_error: 500,
  overloaded: 503,
  unavailable: 503,
};

export interface AnyResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string> | Headers;
  text: string;
}

function header(response: AnyResponse, name: string): string | undefined {
  return response.headers instanceof Headers ? (response.headers.get(name) ?? undefined) : response.headers[name];
}

/**
 * `{"error": {"code", "message", "details"?}}`, JSON, a snake_case code whose status is the one
 * answered, a message that is a sentence and leaks no framework internals, and for
 * validation_error one detail per bad field, each naming its field. Returns the error object.
 */
export function assertErrorShape(response: AnyResponse, what: string): { code: string; message: string; details?: Array<{ field: string; message: string }> } {
  const context = `${what} → ${response.status} ${response.text.slice(0, 300)}`;
  assert.match(header(response, 'content-type') ?? '', /^application\/json/, `not JSON: ${context}`);
  let body: any;
  try {
    body = JSON.parse(response.text);
  } catch {
    assert.fail(`body is not JSON: ${context}`);
  }
  assert.equal(typeof body, 'object', context);
  assert.deepEqual(Object.keys(body), ['error'], `top level must be {"error"}: ${context}`);
  const error = body.error;
  assert.match(String(error?.code), /^[a-z]+(_[a-z]+)*$/, `code is not snake_case: ${context}`);
  assert.equal(STATUS_OF_CODE[error.code], response.status, `status ${response.status} does not match code ${error.code}: ${context}`);
  assert.equal(typeof error.message, 'string', context);
  assert.ok(error.message.length >= 10, `message too short: ${context}`);
  assert.doesNotMatch(error.message, /FST_|HPE_|ERR_|statusCode|Client Error/, `message leaks framework internals: ${context}`);
  for (const key of Object.keys(error)) assert.ok(['code', 'message', 'details'].includes(key), `unexpected error field ${key}: ${context}`);
  if (error.code === 'validation_error') {
    assert.ok(Array.isArray(error.details) && error.details.length > 0, `validation_error without details: ${context}`);
    for (const detail of error.details) {
      assert.equal(typeof detail.field, 'string', context);
      assert.ok(detail.field.length > 0, `detail without field: ${context}`);
      assert.ok(typeof detail.message === 'string' && detail.message.includes(detail.field), `detail message does not name ${detail.field}: ${context}`);
      assert.ok(error.message.includes(detail.field), `message does not name ${detail.field}: ${context}`);
    }
  } else if (error.details !== undefined) {
    assert.ok(Array.isArray(error.details), `details is not an array: ${context}`);
  }
  return error;
}
