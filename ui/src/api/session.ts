// The API key lives in sessionStorage: it survives reloads of this tab and is gone when the tab closes.
const KEY_NAME = 'herald.apiKey';
const NOTICE_NAME = 'herald.signInNotice';

export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY_NAME);
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY_NAME, key);
  sessionStorage.removeItem(NOTICE_NAME);
  sessionStorage.removeItem(PORTAL_NAME);
  sessionStorage.removeItem(ENDED_NAME);
  sessionStorage.removeItem(TENANT_NAME);
}

export function clearApiKey(notice?: string): void {
  sessionStorage.removeItem(KEY_NAME);
  sessionStorage.removeItem(TENANT_NAME);
  sessionStorage.removeItem(PORTAL_NAME);
  if (notice) sessionStorage.setItem(NOTICE_NAME, notice);
}

/** Why the user was sent back to sign-in, if they were; cleared by the next successful sign-in. */
export function getSignInNotice(): string | null {
  return sessionStorage.getItem(NOTICE_NAME);
}

// ---- tenants and portal sessions (API.md §8)

const TENANT_NAME = 'herald.tenant';
const PORTAL_NAME = 'herald.portal';
const ENDED_NAME = 'herald.sessionEnded';
const PORTAL_FRAGMENT = /^#portal=([A-Za-z0-9_.-]+)$/;

/** The tenant an admin key acts in (sent as Herald-Tenant); null: the API's default. */
export function getTenant(): string | null {
  return sessionStorage.getItem(TENANT_NAME);
}

export function setTenant(tenant: string | null): void {
  if (tenant === null) sessionStorage.removeItem(TENANT_NAME);
  else sessionStorage.setItem(TENANT_NAME, tenant);
}

/** Whether this tab is signed in with a portal session (a link from the platform's back office). */
export function isPortalSession(): boolean {
  return sessionStorage.getItem(PORTAL_NAME) === '1';
}

/** A portal session that Herald no longer accepts (expired): shown instead of the sign-in form. */
export function hasSessionEnded(): boolean {
  return sessionStorage.getItem(ENDED_NAME) === '1';
}

export function endPortalSession(): void {
  sessionStorage.removeItem(KEY_NAME);
  sessionStorage.setItem(ENDED_NAME, '1');
}

/**
 * At load: a `#portal=<token>` fragment signs this tab in with that token, and is removed from the
 * address bar at once (a fragment never reaches a server; removing it keeps it out of history too).
 */
export function takePortalFragment(): void {
  const match = PORTAL_FRAGMENT.exec(window.location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY_NAME, match[1]);
  sessionStorage.setItem(PORTAL_NAME, '1');
  sessionStorage.removeItem(ENDED_NAME);
  sessionStorage.removeItem(TENANT_NAME);
  sessionStorage.removeItem(NOTICE_NAME);
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}
