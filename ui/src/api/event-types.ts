import { useQuery } from '@tanstack/react-query';
import { request } from './client';
import type { EventType } from './types';

export const FEED_LABELS: Record<string, string> = {
  user: 'User',
  badge: 'Badge',
  reward: 'Reward',
  journey: 'Journey',
  point_balance: 'Point Balance',
};

export interface Feed {
  feed: string;
  label: string;
  eventTypes: EventType[];
}

export function useEventTypes() {
  return useQuery({
    queryKey: ['event-types'],
    queryFn: () => request<{ data: EventType[] }>('GET', '/event-types').then((r) => r.data),
    staleTime: Infinity,
  });
}

/** Group the catalog by feed, in the spec's feed order, unknown feeds last. */
export function groupByFeed(eventTypes: EventType[]): Feed[] {
  const order = Object.keys(FEED_LABELS);
  const feeds = new Map<string, EventType[]>();
  for (const eventType of eventTypes) {
    feeds.set(eventType.feed, [...(feeds.get(eventType.feed) ?? []), eventType]);
  }
  return [...feeds.entries()]
    .sort(([a], [b]) => rank(order, a) - rank(order, b))
    .map(([feed, types]) => ({ feed, label: FEED_LABELS[feed] ?? humanize(feed), eventTypes: types }));
}

function rank(order: string[], feed: string): number {
  const index = order.indexOf(feed);
  return index === -1 ? order.length : index;
}

export function humanize(id: string): string {
  const words = id.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
