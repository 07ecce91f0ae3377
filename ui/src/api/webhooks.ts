import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request, withQuery, type Query } from './client';
import { LIVE_LIST } from './live';
import type { Page, TestResult, Webhook, WebhookIn } from './types';

export interface WebhookListQuery extends Query {
  name?: string;
  status?: string;
  start_date?: string;
  end_date?: string;
  cursor?: string;
  limit?: number;
}

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: (query: WebhookListQuery) => ['webhooks', 'list', query] as const,
  options: ['webhooks', 'options'] as const,
  one: (id: string) => ['webhooks', 'one', id] as const,
};

export function useWebhookList(query: WebhookListQuery) {
  return useQuery({
    queryKey: webhookKeys.list(query),
    queryFn: () => request<Page<Webhook>>('GET', withQuery('/webhooks', query)),
    placeholderData: keepPreviousData,
    ...LIVE_LIST,
  });
}

/** Every webhook's id and name, for the Audit Logs "Select Webhook" filter. */
export function useWebhookOptions() {
  return useQuery({
    queryKey: webhookKeys.options,
    queryFn: async () => {
      const options: Array<{ id: string; name: string }> = [];
      let cursor: string | null = null;
      do {
        const page: Page<Webhook> = await request('GET', withQuery('/webhooks', { limit: 500, cursor }));
        options.push(...page.data.map((webhook) => ({ id: webhook.id, name: webhook.name })));
        cursor = page.next_cursor;
      } while (cursor && options.length < 5000);
      return options.sort((a, b) => a.name.localeCompare(b.name));
    },
  });
}

export function useWebhook(id: string | undefined) {
  return useQuery({
    queryKey: webhookKeys.one(id ?? ''),
    queryFn: () => request<Webhook>('GET', `/webhooks/${encodeURIComponent(id ?? '')}`),
    enabled: Boolean(id),
  });
}

export function createWebhook(body: WebhookIn): Promise<Webhook> {
  return request<Webhook>('POST', '/webhooks', { body });
}

export function updateWebhook(id: string, body: Partial<WebhookIn>): Promise<Webhook> {
  return request<Webhook>('PATCH', `/webhooks/${encodeURIComponent(id)}`, { body });
}

export function getWebhookSecret(id: string): Promise<string> {
  return request<{ secret: string }>('GET', `/webhooks/${encodeURIComponent(id)}/secret`).then((r) => r.secret);
}

export function testSavedWebhook(id: string, eventType?: string): Promise<TestResult> {
  return request<TestResult>('POST', `/webhooks/${encodeURIComponent(id)}/test`, {
    body: eventType ? { event_type: eventType } : {},
  });
}

export function testUnsavedWebhook(body: WebhookIn & { event_type?: string; id?: string }): Promise<TestResult> {
  return request<TestResult>('POST', '/webhooks/test', { body });
}

/** Enable toggle: PATCH {enabled}, then put the answer straight into every cached copy. */
export function useSetEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => updateWebhook(id, { enabled }),
    onSuccess: (webhook) => {
      client.setQueryData(webhookKeys.one(webhook.id), webhook);
      client.setQueriesData<Page<Webhook>>({ queryKey: ['webhooks', 'list'] }, (page) =>
        page ? { ...page, data: page.data.map((row) => (row.id === webhook.id ? webhook : row)) } : page,
      );
    },
    onSettled: () => client.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export interface RecoverIn {
  since: string;
  until?: string;
  include_missed?: boolean;
}

/** Actions → Recover: failed deliveries of a window get a fresh round (and missed events one). */
export function useRecoverWebhook(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RecoverIn) => request<{ deliveries: number }>('POST', `/webhooks/${encodeURIComponent(id)}/recover`, { body }),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: webhookKeys.all });
      void client.invalidateQueries({ queryKey: ['deliveries'] });
    },
  });
}

export function useDeleteWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<void>('DELETE', `/webhooks/${encodeURIComponent(id)}`),
    onSettled: () => client.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}
