// The app frame: sign-in gate, header (with the tenant switcher for admin keys), the tabs, and which
// page the URL shows. A portal session (a #portal= link) shows its tenant only and, once Herald no
// longer accepts it, "Your session has ended" instead of the sign-in form.
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Result, Select, Spin, Tabs, Tag } from 'antd';
import { errorMessage, setUnauthorizedHandler } from './api/client';
import { clearApiKey, endPortalSession, getApiKey, getTenant, hasSessionEnded, isPortalSession, setTenant } from './api/session';
import { useMe, useTenants } from './api/tenants';
import { AccessContext, accessOf, type Access } from './access';
import { TenantsPage } from './tenants/tenants-page';
import { ApiKeysPage } from './tenants/api-keys-page';
import { href, navigate, safeNext, useRoute, type Route } from './router';
import { SignInPage } from './pages/sign-in-page';
import { WebhooksPage } from './webhooks/webhooks-page';
import { WizardPage } from './wizard/wizard-page';
import { AuditLogsPage } from './audit/audit-logs-page';

const TABS = [
  { key: '/webhooks', label: 'Webhooks' },
  { key: '/audit-logs', label: 'Audit Logs' },
];
const ADMIN_TABS = [...TABS, { key: '/tenants', label: 'Tenants' }, { key: '/api-keys', label: 'API Keys' }];
const ADMIN_PATHS = ['/tenants', '/api-keys'];

export function Shell() {
  const route = useRoute();
  const queryClient = useQueryClient();
  const apiKey = getApiKey();
  const [, setEnded] = useState(false);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      // Several requests may fail at once: only the first one redirects (and remembers where the user was).
      if (!getApiKey()) return;
      if (isPortalSession()) {
        endPortalSession();
        queryClient.clear();
        setEnded(true);
        return;
      }
      clearApiKey('Herald did not accept the API key (it may have changed). Sign in again.');
      queryClient.clear();
      navigate(signInHref(), { replace: true });
    });
  }, [queryClient]);

  const isEnded = !apiKey && hasSessionEnded();
  const redirect = isEnded ? null : redirectFor(route, Boolean(apiKey));
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  const me = useMe(Boolean(apiKey) && !redirect && route.path !== '/sign-in');
  if (isEnded) return <SessionEnded />;
  if (redirect) return null;

  if (route.path === '/sign-in') return <SignInPage next={route.query.get('next')} />;
  if (me.isPending) return <Spin className="app-loading" description="Loading…" />;
  if (me.isError) {
    return <Result status="error" title="Could not reach Herald" subTitle={errorMessage(me.error)} extra={<Button onClick={() => me.refetch()}>Try again</Button>} />;
  }
  return <SignedIn access={accessOf(me.data)} route={route} />;
}

function SignedIn({ access, route }: { access: Access; route: Route }) {
  const queryClient = useQueryClient();
  const [tenant, setTenantState] = useState(() => (access.isAdmin ? getTenant() : null) ?? 'default');
  const signOut = () => {
    clearApiKey();
    queryClient.clear();
    navigate('/sign-in');
  };
  const switchTenant = (next: string) => {
    setTenant(next === 'default' ? null : next);
    // Cached lists belong to the tenant left behind.
    queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' && query.queryKey[0] !== 'tenants' && query.queryKey[0] !== 'api-keys' });
    setTenantState(next);
    if (route.path.startsWith('/webhooks/') || route.path.startsWith('/audit-logs')) navigate(route.path.startsWith('/audit-logs') ? '/audit-logs' : '/webhooks');
  };
  const activeTab = ['/audit-logs', ...ADMIN_PATHS].find((p) => route.path.startsWith(p)) ?? '/webhooks';
  const isPortal = access.me.kind === 'portal';
  return (
    <AccessContext.Provider value={access}>
      <div className="app">
        <header className="app-header">
          <span className="app-title">Herald</span>
          <span className="app-header-right">
            {access.isAdmin ? (
              <TenantSwitcher value={tenant} onChange={switchTenant} />
            ) : (
              <span className="app-tenant" aria-label="Tenant">
                {access.me.tenant_id}
                {!access.canWrite && <Tag className="app-read-only">read only</Tag>}
              </span>
            )}
            {!isPortal && (
              <Button ghost size="small" onClick={signOut}>
                Sign out
              </Button>
            )}
          </span>
        </header>
        <main className="app-content" key={tenant}>
          <Tabs activeKey={activeTab} items={access.isAdmin ? ADMIN_TABS : TABS} onTabClick={(key) => navigate(key)} aria-label="Sections" />
          <Page route={route} access={access} />
        </main>
      </div>
    </AccessContext.Provider>
  );
}

/** Admin keys: the tenant every request acts in (sent as Herald-Tenant; kept for this tab). */
function TenantSwitcher({ value, onChange }: { value: string; onChange: (tenant: string) => void }) {
  const tenants = useTenants();
  // The chosen tenant was deleted (here or elsewhere): back to default rather than a page of 404s.
  const isGone = tenants.data !== undefined && !tenants.data.some((t) => t.id === value);
  useEffect(() => {
    if (isGone && value !== 'default') onChange('default');
  }, [isGone, value, onChange]);
  const options = (tenants.data ?? [{ id: value, name: value }]).map((t) => ({ value: t.id, label: t.name === t.id ? t.id : `${t.name} (${t.id})` }));
  if (!options.some((o) => o.value === value)) options.unshift({ value, label: value });
  return (
    <Select
      className="tenant-switcher"
      aria-label="Tenant"
      value={value}
      options={options}
      onChange={onChange}
      loading={tenants.isPending}
      showSearch={{ optionFilterProp: 'label' }}
      popupMatchSelectWidth={false}
      style={{ minWidth: 200 }}
    />
  );
}

function SessionEnded() {
  return (
    <main className="sign-in">
      <Result
        status="info"
        title="Your session has ended"
        subTitle="This Herald session has expired. Open Herald again from your back office to start a new one."
      />
    </main>
  );
}

function Page({ route, access }: { route: Route; access: Access }) {
  const { path } = route;
  if (access.isAdmin && path === '/tenants') return <TenantsPage />;
  if (access.isAdmin && path === '/api-keys') return <ApiKeysPage />;
  if (!access.canWrite && (path === '/webhooks/new' || path.endsWith('/edit'))) {
    return <Alert type="info" showIcon title="This session can only read: webhooks cannot be created or edited here." />;
  }
  if (path === '/webhooks') return <WebhooksPage query={route.query} />;
  if (path === '/webhooks/new') return <WizardPage key="new" />;
  const edit = /^\/webhooks\/([^/]+)\/edit$/.exec(path);
  if (edit) return <WizardPage key={edit[1]} webhookId={decodeURIComponent(edit[1])} />;
  if (path === '/audit-logs') return <AuditLogsPage query={route.query} />;
  return (
    <Result
      status="404"
      title="Page not found"
      subTitle="This address is not a page of the Herald admin."
      extra={<Button onClick={() => navigate('/webhooks')}>Go to Webhooks</Button>}
    />
  );
}

function redirectFor(route: Route, isSignedIn: boolean): string | null {
  if (route.path === '/') return isSignedIn ? '/webhooks' : signInHref('/webhooks');
  if (route.path === '/sign-in') return isSignedIn ? safeNext(route.query.get('next')) : null;
  return isSignedIn ? null : signInHref();
}

function signInHref(next = window.location.pathname + window.location.search): string {
  return href('/sign-in', { next: next.startsWith('/sign-in') ? '/webhooks' : next });
}
