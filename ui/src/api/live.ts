// The lists are a live monitoring view: fetched afresh each time their page is shown, then polled while
// the browser tab is visible (TanStack Query pauses the interval for a hidden tab and refetches when it
// becomes visible again).
import { isRefusal } from './client';

export const POLL_LIST_MS = 3_000;

/** Poll every `intervalMs`, except after a refusal (e.g. a bad filter in the URL): asking again will not help. */
export function pollUnlessRefused(query: { state: { error: unknown } }, intervalMs = POLL_LIST_MS): number | false {
  return isRefusal(query.state.error) ? false : intervalMs;
}

export const LIVE_LIST = {
  refetchOnMount: 'always',
  refetchOnWindowFocus: 'always',
  refetchInterval: pollUnlessRefused,
  refetchIntervalInBackground: false,
} as const;
