// A member's events and deliveries (API.md §10): the Audit Logs' member timeline.
import { useQuery } from '@tanstack/react-query';
import { request, withQuery } from './client';
import type { Delivery, EventEnvelope, Page } from './types';

/** Enough for a timeline; the newest ones come first, older ones are a filter away. */
const TIMELINE_LIMIT = 200;

export function useMemberEvents(userId: string | null) {
  return useQuery({
    queryKey: ['events', 'member', userId ?? ''],
    queryFn: () => request<Page<EventEnvelope>>('GET', withQuery('/events', { user_id: userId, limit: TIMELINE_LIMIT })),
    enabled: Boolean(userId),
  });
}

export function useMemberDeliveries(userId: string | null) {
  return useQuery({
    queryKey: ['deliveries', 'member', userId ?? ''],
    queryFn: () => request<Page<Delivery>>('GET', withQuery('/deliveries', { user_id: userId, limit: 500 })),
    enabled: Boolean(userId),
  });
}
