import { Button, Empty } from 'antd';
import { useDeliveryList } from '../api/deliveries';
import { CursorPager, useCursorPages } from '../components/cursor-pager';
import { ErrorState } from '../components/error-state';
import { localDayBound } from '../format';
import { href, navigate } from '../router';
import { AuditFilters, readAuditFilters, type AuditFilterValues } from './audit-filters';
import { DeliveryDrawer } from './delivery-drawer';
import { DeliveryTable } from './delivery-table';
import { MemberTimeline } from './member-timeline';

const PAGE_SIZE = 50;

/** /audit-logs?start_date&end_date&webhook_id&status&event_id&user_id&delivery (the open drawer)&member (the open timeline). */
export function AuditLogsPage({ query }: { query: URLSearchParams }) {
  const filters = readAuditFilters(query);
  const openDelivery = query.get('delivery');
  const openMember = query.get('member');
  const filterKey = JSON.stringify(filters);
  const pages = useCursorPages(filterKey);
  const list = useDeliveryList({
    webhook_id: filters.webhook_id || undefined,
    status: filters.status || undefined,
    event_id: filters.event_id || undefined,
    user_id: filters.user_id || undefined,
    start_date: localDayBound(filters.start_date, 'start'),
    end_date: localDayBound(filters.end_date, 'end'),
    limit: PAGE_SIZE,
    cursor: pages.cursor,
  });
  const search = (values: AuditFilterValues) => navigate(href('/audit-logs', { ...values }));
  const open = (id: string) => navigate(href('/audit-logs', { ...filters, delivery: id }));
  const close = () => navigate(href('/audit-logs', { ...filters }));
  const openTimeline = (userId: string) => navigate(href('/audit-logs', { ...filters, member: userId }));
  const hasFilters = Object.values(filters).some(Boolean);

  return (
    <section aria-label="Audit Logs">
      <div className="page-toolbar">
        <AuditFilters key={filterKey} applied={filters} onSearch={search} />
      </div>
      {list.isError && !list.data ? (
        <ErrorState
          error={list.error}
          what="the audit logs"
          onRetry={() => list.refetch()}
          fix={hasFilters && <Button onClick={() => navigate('/audit-logs')}>Clear filters</Button>}
        />
      ) : (
        <>
          <DeliveryTable
            rows={list.data?.data ?? []}
            isLoading={list.isPending || (list.isFetching && list.isPlaceholderData)}
            empty={hasFilters ? <NoMatches /> : <NoDeliveries />}
            onOpen={open}
          />
          <CursorPager pageNumber={pages.pageNumber} nextCursor={list.data?.next_cursor} onNext={pages.next} onPrevious={pages.previous} />
        </>
      )}
      <DeliveryDrawer deliveryId={openDelivery} onClose={close} onMember={openTimeline} />
      <MemberTimeline userId={openDelivery ? null : openMember} onClose={close} onOpenDelivery={open} />
    </section>
  );
}

function NoDeliveries() {
  return (
    <Empty description="No deliveries yet. They appear here once an event (POST /v1/events) matches a webhook's event types." />
  );
}

function NoMatches() {
  return (
    <Empty description="No deliveries match these filters. Change them and press Search, or clear them.">
      <Button onClick={() => navigate('/audit-logs')}>Clear filters</Button>
    </Empty>
  );
}
