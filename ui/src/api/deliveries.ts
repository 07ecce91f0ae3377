import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request, withQuery, type Query } from './client';
import { LIVE_LIST, pollUnlessRefused } from './live';
import type { Delivery, DeliveryDetail, Page } from './types';

export interface DeliveryListQuery extends Query {
  webhook_id?: string;
  status?: string;
  event_type?: string;
  event_id?: string;
  user_id?: string;
  start_date?: string;
  end_date?: string;
  cursor?: string;
  limit?: number;
}

const POLL_PENDING_MS = 1500;

export function useDeliveryList(query: DeliveryListQuery) {
  return useQuery({
    queryKey: ['deliveries', 'list', query],
    queryFn: () => request<Page<Delivery>>('GET', withQuery('/deliveries', query)),
    placeholderData: keepPreviousData,
    ...LIVE_LIST,
    // New rows appear and statuses change without Search; pending rows move faster.
    refetchInterval: (q) => pollUnlessRefused(q, q.state.data?.data.some((row) => row.status === 'pending') ? POLL_PENDING_MS : undefined),
  });
}

export function useDelivery(id: string | undefined) {
  return useQuery({
    queryKey: ['deliveries', 'one', id ?? ''],
    queryFn: () => request<DeliveryDetail>('GET', `/deliveries/${encodeURIComponent(id ?? '')}`),
    enabled: Boolean(id),
    refetchInterval: (q) => (q.state.data?.status === 'pending' ? POLL_PENDING_MS : false),
  });
}

export function useResendDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<unknown>('POST', `/deliveries/${encodeURIComponent(id)}/retry`, { body: {} }),
    onSettled: () => client.invalidateQueries({ queryKey: ['deliveries'] }),
  });
}

/** Drawer → Cancel: a pending delivery ends as cancelled. */
export function useCancelDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<Delivery>('POST', `/deliveries/${encodeURIComponent(id)}/cancel`, { body: {} }),
    onSettled: () => client.invalidateQueries({ queryKey: ['deliveries'] }),
  });
}

/** The envelope as delivered: `envelope` if the API nests it, else the envelope fields of the row. */
export function envelopeOf(delivery: DeliveryDetail): Record<string, unknown> {
  if (delivery.envelope) return delivery.envelope;
  const row = delivery as unknown as Record<string, unknown>;
  const fields = ['event_id', 'event_type', 'event_timestamp', 'schema_version', 'user_id', 'data'];
  return Object.fromEntries(fields.filter((name) => name in row).map((name) => [name, row[name]]));
}
