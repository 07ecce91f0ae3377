import { Button, Empty } from 'antd';
import { useWebhookList } from '../api/webhooks';
import { CursorPager, useCursorPages } from '../components/cursor-pager';
import { ErrorState } from '../components/error-state';
import { localDayBound } from '../format';
import { href, navigate } from '../router';
import { readWebhookFilters, WebhookFilters, type WebhookFilterValues } from './webhook-filters';
import { WebhookTable } from './webhook-table';
import { useAccess } from '../access';

const PAGE_SIZE = 20;

export function WebhooksPage({ query }: { query: URLSearchParams }) {
  const filters = readWebhookFilters(query);
  const pages = useCursorPages(query.toString());
  const { canWrite } = useAccess();
  const list = useWebhookList({
    name: filters.name || undefined,
    status: filters.status || undefined,
    start_date: localDayBound(filters.start_date, 'start'),
    end_date: localDayBound(filters.end_date, 'end'),
    limit: PAGE_SIZE,
    cursor: pages.cursor,
  });
  const search = (values: WebhookFilterValues) => navigate(href('/webhooks', { ...values }));
  const hasFilters = Object.values(filters).some(Boolean);

  return (
    <section aria-label="Webhooks">
      <div className="page-toolbar">
        <WebhookFilters key={query.toString()} applied={filters} onSearch={search} />
        {canWrite && (
          <Button type="primary" onClick={() => navigate('/webhooks/new')}>
            Create Webhook
          </Button>
        )}
      </div>
      {list.isError && !list.data ? (
        <ErrorState
          error={list.error}
          what="webhooks"
          onRetry={() => list.refetch()}
          fix={hasFilters && <Button onClick={() => navigate('/webhooks')}>Clear filters</Button>}
        />
      ) : (
        <>
          <WebhookTable
            rows={list.data?.data ?? []}
            isLoading={list.isPending || (list.isFetching && list.isPlaceholderData)}
            empty={hasFilters ? <NoMatches /> : <NoWebhooks />}
          />
          <CursorPager
            pageNumber={pages.pageNumber}
            nextCursor={list.data?.next_cursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
    </section>
  );
}

function NoWebhooks() {
  const { canWrite } = useAccess();
  if (!canWrite) return <Empty description="No webhooks yet." />;
  return (
    <Empty description="No webhooks yet. Create one to send loyalty events to an endpoint.">
      <Button type="primary" onClick={() => navigate('/webhooks/new')}>
        Create Webhook
      </Button>
    </Empty>
  );
}

function NoMatches() {
  return (
    <Empty description="No webhooks match these filters. Change them and press Search, or clear them.">
      <Button onClick={() => navigate('/webhooks')}>Clear filters</Button>
    </Empty>
  );
}
