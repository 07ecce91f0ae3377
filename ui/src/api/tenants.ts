// Tenants, API keys and "who am I" (API.md §8).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request, withQuery } from './client';
import type { Page } from './types';

export interface Me {
  kind: 'admin' | 'key' | 'portal';
  scopes: string[];
  tenant_id: string | null;
  expires_at: string | null;
}

export interface Tenant {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  tenant_id: string | null;
  created_at: string;
  last_used_at: string | null;
}

export interface CreatedApiKey extends ApiKey {
  key: string;
}

export const tenantKeys = {
  me: ['me'] as const,
  tenants: ['tenants'] as const,
  apiKeys: (tenantId: string | undefined) => ['api-keys', tenantId ?? ''] as const,
};

export function useMe(enabled: boolean) {
  return useQuery({ queryKey: tenantKeys.me, queryFn: () => request<Me>('GET', '/me'), enabled, staleTime: Infinity });
}

/** Every tenant (admin only), by id. */
export function useTenants(enabled = true) {
  return useQuery({
    queryKey: tenantKeys.tenants,
    enabled,
    queryFn: async () => {
      const all: Tenant[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Tenant> = await request('GET', withQuery('/tenants', { limit: 200, cursor }));
        all.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor && all.length < 10_000);
      return all;
    },
  });
}

export function useCreateTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { id?: string; name: string }) => request<Tenant>('POST', '/tenants', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: tenantKeys.tenants }),
  });
}

export function useRenameTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => request<Tenant>('PATCH', `/tenants/${encodeURIComponent(id)}`, { body: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: tenantKeys.tenants }),
  });
}

export function useDeleteTenant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<void>('DELETE', `/tenants/${encodeURIComponent(id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: tenantKeys.tenants }),
  });
}

export function useApiKeys(tenantId: string | undefined) {
  return useQuery({
    queryKey: tenantKeys.apiKeys(tenantId),
    queryFn: async () => {
      const all: ApiKey[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<ApiKey> = await request('GET', withQuery('/api-keys', { limit: 200, cursor, tenant_id: tenantId }));
        all.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor && all.length < 10_000);
      return all;
    },
  });
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scopes: string[]; tenant_id?: string }) => request<CreatedApiKey>('POST', '/api-keys', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<void>('DELETE', `/api-keys/${encodeURIComponent(id)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-keys'] }),
  });
}
