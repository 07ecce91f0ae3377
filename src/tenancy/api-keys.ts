// API keys: generation, hashing, and the constant-time check of a presented key against the
// accepted hashes. Below the API and main.ts alike (the API checks keys, keys.ts makes them);
// imports nothing of ours. Tenants, scopes and portal tokens will live beside it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex of a key: what the store keeps instead of the key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A new admin key: `hk_` + 24 random bytes, base64url. */
export function generateApiKey(): string {
  return `hk_${randomBytes(24).toString('base64url')}`;
}

/**
 * The hash of `key` when it matches one of `acceptedHashes` (SHA-256 hex), else null. Every accepted
 * hash is compared in constant time, so timing tells nothing about which part matched.
 * `acceptedHashes` is read on every call: a key added later (the one generated at first start)
 * is accepted from then on.
 */
export function matchApiKey(key: string, acceptedHashes: readonly string[]): string | null {
  const hash = hashApiKey(key);
  const presented = Buffer.from(hash, 'hex');
  let isMatch = false;
  for (const accepted of acceptedHashes) {
    const candidate = Buffer.from(accepted, 'hex');
    if (candidate.length === presented.length && timingSafeEqual(candidate, presented)) isMatch = true;
  }
  return isMatch ? hash : null;
}
