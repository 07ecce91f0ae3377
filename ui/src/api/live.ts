// The lists are a live monitoring view: fetched afresh each time their page is shown, then polled while
// the browser tab is visible (TanStack Query pauses the interval for a hidden tab and refetches when it
// becomes visible again).

export const POLL_LIST_MS = 3_000;

export const LIVE_LIST = {
  refetchOnMount: 'always',
  refetchOnWindowFocus: 'always',
  refetchInterval: POLL_LIST_MS,
  refetchIntervalInBackground: false,
} as const;
