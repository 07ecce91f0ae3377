// The API key lives in sessionStorage: it survives reloads of this tab and is gone when the tab closes.
const KEY_NAME = 'herald.apiKey';
const NOTICE_NAME = 'herald.signInNotice';

export function getApiKey(): string | null {
  return sessionStorage.getItem(KEY_NAME);
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(KEY_NAME, key);
  sessionStorage.removeItem(NOTICE_NAME);
}

export function clearApiKey(notice?: string): void {
  sessionStorage.removeItem(KEY_NAME);
  if (notice) sessionStorage.setItem(NOTICE_NAME, notice);
}

/** Why the user was sent back to sign-in, if they were; cleared by the next successful sign-in. */
export function getSignInNotice(): string | null {
  return sessionStorage.getItem(NOTICE_NAME);
}
