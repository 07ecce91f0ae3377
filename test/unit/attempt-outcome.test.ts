// classifyAttempt(): what each thing a receiver (or the network) can do to a try means.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCKED_TARGET_CODE, classifyAttempt, type Observation, type Verdict, type AttemptOutcome, type AttemptCause } from '../../src/domain/attempt.ts';

const HOST = 'crm.example.com';

const cases: Array<[string, Observation, Verdict, AttemptOutcome, AttemptCause, RegExp | null]> = [
  ['200', { kind: 'response', statusCode: 200 }, 'delivered', 'success', 'status', null],
  ['204', { kind: 'response', statusCode: 204 }, 'delivered', 'success', 'status', null],
  ['299', { kind: 'response', statusCode: 299 }, 'delivered', 'success', 'status', null],
  ['199 (not 2xx)', { kind: 'response', statusCode: 199 }, 'retryable', 'http_error', 'status', /HTTP 199/],
  ['302 with Location', { kind: 'response', statusCode: 302, location: 'https://elsewhere/x' }, 'retryable', 'http_error', 'status', /HTTP 302: redirect to https:\/\/elsewhere\/x not followed/],
  ['301 without Location', { kind: 'response', statusCode: 301 }, 'retryable', 'http_error', 'status', /HTTP 301: redirect not followed/],
  ['400', { kind: 'response', statusCode: 400 }, 'retryable', 'http_error', 'status', /HTTP 400/],
  ['404', { kind: 'response', statusCode: 404 }, 'retryable', 'http_error', 'status', /HTTP 404/],
  ['410 Gone is permanent', { kind: 'response', statusCode: 410 }, 'permanent', 'http_error', 'status', /HTTP 410.*gone.*not retried/],
  ['429', { kind: 'response', statusCode: 429 }, 'retryable', 'http_error', 'status', /HTTP 429/],
  ['500', { kind: 'response', statusCode: 500 }, 'retryable', 'http_error', 'status', /HTTP 500/],
  ['503', { kind: 'response', statusCode: 503 }, 'retryable', 'http_error', 'status', /HTTP 503/],
  ['our deadline', { kind: 'deadline', timeoutMs: 15_000 }, 'retryable', 'timeout', 'timeout', /no response within 15 s \(timeout\)/],
  ['headers timeout', { kind: 'failure', code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error' }, 'retryable', 'timeout', 'timeout', /timeout/],
  ['body timeout', { kind: 'failure', code: 'UND_ERR_BODY_TIMEOUT', message: 'Body Timeout Error' }, 'retryable', 'timeout', 'timeout', /timeout/],
  ['connect timeout', { kind: 'failure', code: 'UND_ERR_CONNECT_TIMEOUT', message: 'Connect Timeout Error' }, 'retryable', 'timeout', 'timeout', /could not connect to crm\.example\.com in time/],
  ['DNS: no such name', { kind: 'failure', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' }, 'retryable', 'network_error', 'dns', /DNS lookup failed for crm\.example\.com \(ENOTFOUND\)/],
  ['DNS: try again', { kind: 'failure', code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN' }, 'retryable', 'network_error', 'dns', /DNS lookup failed/],
  ['refused', { kind: 'failure', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'retryable', 'network_error', 'refused', /connection refused by crm\.example\.com/],
  ['reset', { kind: 'failure', code: 'ECONNRESET', message: 'read ECONNRESET' }, 'retryable', 'network_error', 'reset', /connection closed by crm\.example\.com/],
  ['socket closed (undici)', { kind: 'failure', code: 'UND_ERR_SOCKET', message: 'other side closed' }, 'retryable', 'network_error', 'reset', /closed .*UND_ERR_SOCKET/],
  ['broken pipe', { kind: 'failure', code: 'EPIPE', message: 'write EPIPE' }, 'retryable', 'network_error', 'reset', /closed/],
  ['TLS: bad certificate name', { kind: 'failure', code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, 'retryable', 'network_error', 'tls', /TLS error with crm\.example\.com/],
  ['TLS: expired', { kind: 'failure', code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, 'retryable', 'network_error', 'tls', /TLS error/],
  ['TLS: self-signed', { kind: 'failure', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'retryable', 'network_error', 'tls', /TLS error/],
  ['TLS: wrong version', { kind: 'failure', code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, 'retryable', 'network_error', 'tls', /TLS error/],
  ['invalid HTTP', { kind: 'failure', code: 'HPE_INVALID_STATUS', message: 'Invalid status code' }, 'retryable', 'network_error', 'invalid_response', /invalid HTTP response from crm\.example\.com: Invalid status code/],
  ['blocked target', { kind: 'failure', code: BLOCKED_TARGET_CODE, message: 'blocked: 10.0.0.1 is a private address' }, 'permanent', 'blocked', 'blocked', /^blocked: 10\.0\.0\.1/],
  ['anything else', { kind: 'failure', code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' }, 'retryable', 'network_error', 'other', /request to crm\.example\.com failed: connect EHOSTUNREACH \(EHOSTUNREACH\)/],
  ['no code at all', { kind: 'failure', code: '', message: 'something odd' }, 'retryable', 'network_error', 'other', /failed: something odd$/],
];

describe('classifyAttempt', () => {
  for (const [name, observation, verdict, outcome, cause, error] of cases) {
    it(`${name} → ${verdict} / ${outcome} / ${cause}`, () => {
      const result = classifyAttempt(observation, HOST);
      assert.deepEqual([result.verdict, result.outcome, result.cause], [verdict, outcome, cause]);
      if (error === null) assert.equal(result.error, null);
      else assert.match(result.error ?? '', error);
    });
  }

  it('gives every failure a non-empty error (API.md §7)', () => {
    for (const [, observation] of cases) {
      const result = classifyAttempt(observation, HOST);
      if (result.verdict !== 'delivered') assert.ok(result.error && result.error.length > 0);
    }
  });
});
