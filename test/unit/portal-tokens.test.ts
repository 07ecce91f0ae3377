// Portal session tokens (src/tenancy/portal-tokens.ts) and the UI pages' CSP, as units.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { hkdfSync } from 'node:crypto';
import type { TenantId } from '../../src/domain/ids.ts';
import { looksLikeJwt, PortalTokens } from '../../src/tenancy/portal-tokens.ts';
import { generateApiKey } from '../../src/tenancy/api-keys.ts';
import { uiContentSecurityPolicy } from '../../src/api/ui-routes.ts';

const SECRET = 'unit-secret-key-0123456789abcdef';
const tenant = 'brand-a' as TenantId;

describe('portal tokens', () => {
  it('round-trip tenant, scopes and the expiry (whole seconds)', async () => {
    const tokens = new PortalTokens(SECRET);
    const expiresAtMs = Date.now() + 60_000;
    const token = await tokens.sign({ tenant, scopes: ['read'], expiresAtMs });
    assert.ok(looksLikeJwt(token));
    assert.deepEqual(await tokens.verify(token), { tenant, scopes: ['read'], expiresAtMs: Math.floor(expiresAtMs / 1000) * 1000 });
  });

  it('refuse expired tokens, another key, and tokens not made by sign()', async () => {
    const tokens = new PortalTokens(SECRET);
    assert.equal(await tokens.verify(await tokens.sign({ tenant, scopes: ['manage'], expiresAtMs: Date.now() - 1000 })), null);
    assert.equal(await new PortalTokens('another-secret-0123456789').verify(await tokens.sign({ tenant, scopes: ['manage'], expiresAtMs: Date.now() + 60_000 })), null);
    // Signed with the right key but claiming a scope a portal session cannot have, or no audience.
    const key = new Uint8Array(hkdfSync('sha256', SECRET, 'herald', 'portal-sessions', 32));
    const exp = Math.floor(Date.now() / 1000) + 60;
    const admin = await new SignJWT({ tenant, scopes: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer('herald').setAudience('herald-portal').setExpirationTime(exp).sign(key);
    assert.equal(await tokens.verify(admin), null);
    const noAudience = await new SignJWT({ tenant, scopes: ['read'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer('herald').setExpirationTime(exp).sign(key);
    assert.equal(await tokens.verify(noAudience), null);
    const noExp = await new SignJWT({ tenant, scopes: ['read'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer('herald').setAudience('herald-portal').sign(key);
    assert.equal(await tokens.verify(noExp), null);
    assert.equal(await tokens.verify('not.a.token'), null);
  });

  it('API keys never look like a JWT', () => {
    for (let i = 0; i < 200; i++) assert.equal(looksLikeJwt(generateApiKey()), false);
  });
});

describe('UI content security policy', () => {
  it("is frame-ancestors 'self' followed by the configured origins", () => {
    assert.equal(uiContentSecurityPolicy(''), "frame-ancestors 'self'");
    assert.equal(uiContentSecurityPolicy('  https://a.example.com   https://*.b.example.org '), "frame-ancestors 'self' https://a.example.com https://*.b.example.org");
  });
});
