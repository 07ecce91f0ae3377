// Portal session tokens (API.md §8): a JWT (HS256) naming a tenant, scopes and an expiry, signed
// with a key derived from HERALD_SECRET_KEY (HKDF, its own label, so it never equals the key that
// seals endpoint secrets). Every process shares HERALD_SECRET_KEY, so every process checks a token
// without a lookup. Imports only domain/ and jose.
import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { isTenantId, type TenantId } from '../domain/ids.ts';

export const PORTAL_SCOPES = ['manage', 'read'] as const;
export type PortalScope = (typeof PORTAL_SCOPES)[number];
export const PORTAL_TTL = { min: 60, max: 86_400, default: 3_600 } as const;

export interface PortalClaims {
  tenant: TenantId;
  scopes: PortalScope[];
  /** Expiry, ms since the epoch (the token's `exp` is in whole seconds). */
  expiresAtMs: number;
}

const ISSUER = 'herald';
const AUDIENCE = 'herald-portal';

/** Whether a bearer value is shaped like a JWT (three base64url parts): API keys never are. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

export class PortalTokens {
  readonly #key: Uint8Array;

  constructor(secretKey: string) {
    this.#key = new Uint8Array(hkdfSync('sha256', secretKey, 'herald', 'portal-sessions', 32));
  }

  /** A token for `tenant` with `scopes`, valid until `expiresAtMs` (rounded down to the second). */
  async sign(claims: PortalClaims): Promise<string> {
    return new SignJWT({ tenant: claims.tenant, scopes: claims.scopes })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(claims.expiresAtMs / 1000))
      .sign(this.#key);
  }

  /** The claims of a valid, unexpired token signed by this key; null for anything else. */
  async verify(token: string): Promise<PortalClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, clockTolerance: 0 });
      const { tenant, scopes, exp } = payload as { tenant?: unknown; scopes?: unknown; exp?: number };
      if (typeof tenant !== 'string' || !isTenantId(tenant) || typeof exp !== 'number') return null;
      if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => (PORTAL_SCOPES as readonly unknown[]).includes(s))) return null;
      return { tenant, scopes: scopes as PortalScope[], expiresAtMs: exp * 1000 };
    } catch {
      return null;
    }
  }
}
