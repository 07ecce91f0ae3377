// The app frame: sign-in gate, header, the two tabs, and which page the URL shows.
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Result, Tabs } from 'antd';
import { setUnauthorizedHandler } from './api/client';
import { clearApiKey, getApiKey } from './api/session';
import { href, navigate, safeNext, useRoute, type Route } from './router';
import { SignInPage } from './pages/sign-in-page';
import { WebhooksPage } from './webhooks/webhooks-page';
import { WizardPage } from './wizard/wizard-page';
import { AuditLogsPage } from './audit/audit-logs-page';

const TABS = [
  { key: '/webhooks', label: 'Webhooks' },
  { key: '/audit-logs', label: 'Audit Logs' },
];

export function Shell() {
  const route = useRoute();
  const queryClient = useQueryClient();
  const apiKey = getApiKey();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      // Several requests may fail at once: only the first one redirects (and remembers where the user was).
      if (!getApiKey()) return;
      clearApiKey('Herald did not accept the API key (it may have changed). Sign in again.');
      queryClient.clear();
      navigate(signInHref(), { replace: true });
    });
  }, [queryClient]);

  const redirect = redirectFor(route, Boolean(apiKey));
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  if (redirect) return null;

  if (route.path === '/sign-in') return <SignInPage next={route.query.get('next')} />;

  const signOut = () => {
    clearApiKey();
    queryClient.clear();
    navigate('/sign-in');
  };
  const activeTab = route.path.startsWith('/audit-logs') ? '/audit-logs' : '/webhooks';
  return (
    <div className="app">
      <header className="app-header">
        <span className="app-title">Herald</span>
        <Button ghost size="small" onClick={signOut}>
          Sign out
        </Button>
      </header>
      <main className="app-content">
        <Tabs activeKey={activeTab} items={TABS} onTabClick={(key) => navigate(key)} aria-label="Sections" />
        <Page route={route} />
      </main>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  const { path } = route;
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
