import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authHeaders, standardSignature } from '../../src/delivery/sign.ts';

describe('signing', () => {
  it('matches the Standard Webhooks reference vector', () => {
    // From the Standard Webhooks / Svix documentation.
    const signature = standardSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('adds the previous secret only until it expires', async () => {
    const input = { webhookId: 'wh_1', eventId: 'e', timestampSeconds: 1, body: '{}', nowMs: 1000 };
    const auth = { type: 'signature' as const, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', previousSecret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', previousSecretExpiresAt: 2000 };
    assert.equal((await authHeaders(auth, input))['webhook-signature'].split(' ').length, 2);
    assert.equal((await authHeaders(auth, { ...input, nowMs: 2000 }))['webhook-signature'].split(' ').length, 1);
  });

  it('builds basic auth from the user name and password', async () => {
    const headers = await authHeaders({ type: 'basic', username: 'u', password: 'p:w' }, { webhookId: 'w', eventId: 'e', timestampSeconds: 1, body: '', nowMs: 0 });
    assert.equal(headers.authorization, 'Basic dTpwOnc=');
  });
});
