// The pure parts of the HTTP edge: the body budget's arithmetic, which methods a path allows,
// the answers to parser errors, and the checks of the limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyBudget } from '../../src/api/body-budget.ts';
import { clientErrorAnswer, rawErrorResponse } from '../../src/api/client-errors.ts';
import { DEFAULT_HTTP_LIMITS, resolveHttpLimits } from '../../src/api/http-limits.ts';
import { RouteMethods } from '../../src/api/route-methods.ts';
import { AppError, codeForStatus, HTTP_STATUS } from '../../src/domain/errors.ts';

describe('BodyBudget', () => {
  const limits = { bodyBudgetBytes: 100, smallBodyReserveBytes: 20, smallBodyBytes: 10, overloadRetryAfterSeconds: 1 };

  it('large bodies share the budget minus the reserve; small ones may use the reserve', () => {
    const budget = new BodyBudget(limits);
    assert.equal(budget.tryTake(50), true);
    assert.equal(budget.tryTake(30), true); // 80 = 100 - 20
    assert.equal(budget.tryTake(11), false, 'a large body may not dip into the reserve');
    assert.equal(budget.tryTake(10), true, 'a small one may');
    assert.equal(budget.tryTake(10), true);
    assert.equal(budget.tryTake(1), false, 'the whole budget is used');
    assert.equal(budget.usedBytes, 100);
    budget.give(50);
    assert.equal(budget.tryTake(30), true);
    assert.equal(budget.usedBytes, 80);
  });

  it('a body larger than the whole budget passes only while nothing else is held', () => {
    const budget = new BodyBudget(limits);
    assert.equal(budget.tryTake(500), true);
    assert.equal(budget.tryTake(1), false);
    budget.give(500);
    assert.equal(budget.usedBytes, 0);
    assert.equal(budget.tryTake(5), true);
    assert.equal(budget.tryTake(500), false);
  });

  it('a chunked body is classed by its total so far', () => {
    const budget = new BodyBudget(limits);
    assert.equal(budget.tryTake(75), true);
    assert.equal(budget.tryTake(5, 5), true, 'the first chunks of a body are small');
    assert.equal(budget.tryTake(5, 15), false, 'past smallBodyBytes it is large: 85 > 80');
    budget.give(1000);
    assert.equal(budget.usedBytes, 0, 'never below zero');
  });
});

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add(['GET', 'HEAD'], '/v1/webhooks');
  routes.add('POST', '/v1/webhooks');
  routes.add('GET', '/v1/webhooks/:id');
  routes.add('PATCH', '/v1/webhooks/:id');
  routes.add('GET', '/docs/*');

  it('lists the methods of every route matching the path', () => {
    assert.deepEqual(routes.allowed('/v1/webhooks'), ['GET', 'HEAD', 'POST']);
    assert.deepEqual(routes.allowed('/v1/webhooks/wh_1'), ['GET', 'PATCH']);
    assert.deepEqual(routes.allowed('/docs/static/x.css'), ['GET']);
  });

  it('knows no path that no route matches', () => {
    assert.deepEqual(routes.allowed('/v1/webhooks/wh_1/nope'), []);
    assert.deepEqual(routes.allowed('/v1/webhooksX'), []);
    assert.deepEqual(routes.allowed('/v1/webhooks/'), []);
  });
});

describe('answers to what the HTTP parser refuses', () => {
  const limits = { maxHeaderBytes: 16384, headersTimeoutMs: 15_000, requestTimeoutMs: 60_000 };
  const cases: Array<[string, string, number]> = [
    ['HPE_HEADER_OVERFLOW', 'header_too_large', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'request_timeout', 408],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'payload_too_large', 413],
    ['HPE_INVALID_METHOD', 'bad_request', 400],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 'bad_request', 400],
    ['HPE_SOMETHING_NEW', 'bad_request', 400],
  ];
  for (const [parserCode, code, status] of cases) {
    it(`${parserCode} → ${status} ${code}, with a message naming the fix`, () => {
      const answer = clientErrorAnswer(Object.assign(new Error('x'), { code: parserCode }), limits);
      assert.equal(answer.code, code);
      assert.equal(answer.status, status);
      assert.doesNotMatch(answer.message, /HPE_|ERR_/);
      assert.match(answer.message, /;|\. /, 'says what to do, not only what is wrong');
    });
  }

  it('the raw answer is a complete HTTP/1.1 response in the error shape', () => {
    const text = rawErrorResponse(new AppError('header_too_large', 'Too big; send less.'));
    const [head, body] = text.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(head, /\r\ncontent-type: application\/json; charset=utf-8\r\n/);
    assert.match(head, /\r\nconnection: close(\r\n|$)/);
    assert.equal(Number(/content-length: (\d+)/.exec(head)![1]), Buffer.byteLength(body));
    assert.deepEqual(JSON.parse(body), { error: { code: 'header_too_large', message: 'Too big; send less.' } });
  });
});

describe('error codes and limits', () => {
  it('a bare status maps to a code of that status (400 to bad_request, 503 to unavailable)', () => {
    assert.equal(codeForStatus(400), 'bad_request');
    assert.equal(codeForStatus(503), 'unavailable');
    for (const status of [401, 404, 405, 408, 409, 412, 413, 414, 415, 416, 417, 429, 431]) {
      const code = codeForStatus(status)!;
      assert.equal(HTTP_STATUS[code], status, `${status} → ${code}`);
    }
    assert.equal(codeForStatus(418), undefined);
  });

  it('resolveHttpLimits applies overrides and refuses impossible ones', () => {
    assert.deepEqual(resolveHttpLimits(), DEFAULT_HTTP_LIMITS);
    assert.equal(resolveHttpLimits({ requestTimeoutMs: 2000, headersTimeoutMs: 1000 }).requestTimeoutMs, 2000);
    assert.throws(() => resolveHttpLimits({ headersTimeoutMs: 5000, requestTimeoutMs: 2000 }), /headersTimeoutMs/);
    assert.throws(() => resolveHttpLimits({ requestTimeoutMs: 0 }), /requestTimeoutMs/);
    assert.throws(() => resolveHttpLimits({ maxConnections: -1 }), /maxConnections/);
    assert.throws(() => resolveHttpLimits({ bodyBudgetBytes: 1000, smallBodyReserveBytes: 1000 }), /smallBodyReserveBytes/);
    assert.throws(() => resolveHttpLimits({ nope: 1 } as never), /unknown/);
  });
});
