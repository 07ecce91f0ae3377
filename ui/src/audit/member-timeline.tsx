import { Alert, Button, Drawer, Empty, Spin, Timeline, Typography } from 'antd';
import { useMemberDeliveries, useMemberEvents } from '../api/members';
import type { Delivery, EventEnvelope } from '../api/types';
import { ErrorState } from '../components/error-state';
import { LocalTime } from '../components/local-time';
import { DeliveryStatusTag } from '../components/status-tags';

/** Every event of one member (newest first), each with its deliveries: "did the CRM get Jane's reward?" */
export function MemberTimeline(props: { userId: string | null; onClose: () => void; onOpenDelivery: (id: string) => void }) {
  const events = useMemberEvents(props.userId);
  const deliveries = useMemberDeliveries(props.userId);
  const isLoading = events.isPending || deliveries.isPending;
  const error = events.error ?? deliveries.error;
  return (
    <Drawer
      open={Boolean(props.userId)}
      onClose={props.onClose}
      size={640}
      title={props.userId ? `Member ${props.userId}` : 'Member'}
      destroyOnHidden
    >
      {props.userId && isLoading && <Spin description="Loading the member's events…" />}
      {error && <ErrorState error={error} what="this member's events" onRetry={() => void events.refetch().then(() => deliveries.refetch())} />}
      {events.data && deliveries.data && (
        <MemberEvents events={events.data.data} deliveries={deliveries.data.data} isCut={Boolean(events.data.next_cursor)} onOpenDelivery={props.onOpenDelivery} />
      )}
    </Drawer>
  );
}

function MemberEvents(props: { events: EventEnvelope[]; deliveries: Delivery[]; isCut: boolean; onOpenDelivery: (id: string) => void }) {
  if (props.events.length === 0) return <Empty description="No events for this member (or they were erased)." />;
  const byEvent = new Map<string, Delivery[]>();
  for (const d of props.deliveries) byEvent.set(d.event_id, [...(byEvent.get(d.event_id) ?? []), d]);
  return (
    <>
      {props.isCut && <Alert type="info" showIcon title="The newest events are shown; filter the Audit Logs by Member and date for older ones." style={{ marginBottom: 16 }} />}
      <Timeline
        aria-label="Member timeline"
        items={props.events.map((event) => ({
          key: event.event_id,
          children: (
            <div data-event-id={event.event_id}>
              <Typography.Text strong>{event.event_type}</Typography.Text> <LocalTime value={event.created_at} />
              <div className="mono" style={{ fontSize: 12 }}>
                {event.event_id}
              </div>
              {(byEvent.get(event.event_id) ?? []).map((d) => (
                <div key={d.id}>
                  <Button type="link" size="small" style={{ padding: 0 }} onClick={() => props.onOpenDelivery(d.id)} aria-label={`Delivery to ${d.webhook_name} of event ${event.event_id}`}>
                    {d.webhook_name}
                  </Button>{' '}
                  <DeliveryStatusTag status={d.status} />
                  {d.error && <Typography.Text type="secondary"> {d.error}</Typography.Text>}
                </div>
              ))}
              {!byEvent.has(event.event_id) && <Typography.Text type="secondary">No webhook subscribed to this event.</Typography.Text>}
            </div>
          ),
        }))}
      />
    </>
  );
}
