import { Alert, App, Button, Descriptions, Drawer, Popconfirm, Space, Spin, Tooltip, Typography } from 'antd';
import { errorMessage } from '../api/client';
import { envelopeOf, useCancelDelivery, useDelivery, useResendDelivery } from '../api/deliveries';
import type { DeliveryDetail } from '../api/types';
import { ErrorState } from '../components/error-state';
import { JsonBlock } from '../components/json-block';
import { LocalTime } from '../components/local-time';
import { DeliveryStatusTag } from '../components/status-tags';
import { AttemptList } from './attempt-list';
import { useAccess } from '../access';

/** One delivery: summary, every attempt (what went wrong comes first), the envelope as sent, and Resend. */
export function DeliveryDrawer({ deliveryId, onClose, onMember }: { deliveryId: string | null; onClose: () => void; onMember?: (userId: string) => void }) {
  const delivery = useDelivery(deliveryId ?? undefined);
  const { canWrite } = useAccess();
  return (
    <Drawer
      open={Boolean(deliveryId)}
      onClose={onClose}
      size={760}
      title={deliveryId ? `Delivery ${deliveryId}` : 'Delivery'}
      extra={
        delivery.data &&
        canWrite && (
          <Space>
            {delivery.data.status === 'pending' && <CancelButton delivery={delivery.data} />}
            <ResendButton delivery={delivery.data} />
          </Space>
        )
      }
      destroyOnHidden
    >
      {delivery.isPending && <Spin description="Loading delivery…" />}
      {delivery.isError && <ErrorState error={delivery.error} what="this delivery" onRetry={() => delivery.refetch()} />}
      {delivery.data && <DeliveryDetails delivery={delivery.data} onMember={onMember} />}
    </Drawer>
  );
}

/** A pending delivery can be cancelled (final): a try already in flight still reaches the receiver. */
function CancelButton({ delivery }: { delivery: DeliveryDetail }) {
  const { message } = App.useApp();
  const cancel = useCancelDelivery();
  return (
    <Popconfirm
      title="Cancel this delivery?"
      description="It ends as Cancelled and is not tried again. A try already under way may still reach the receiver."
      okText="Cancel delivery"
      cancelText="Keep it"
      okButtonProps={{ danger: true }}
      onConfirm={() =>
        cancel.mutateAsync(delivery.id).then(
          () => message.success('Delivery cancelled.'),
          (error) => message.error(`Could not cancel: ${errorMessage(error)}`),
        )
      }
    >
      <Button danger loading={cancel.isPending}>
        Cancel
      </Button>
    </Popconfirm>
  );
}

function ResendButton({ delivery }: { delivery: DeliveryDetail }) {
  const { message } = App.useApp();
  const resend = useResendDelivery();
  const isPending = delivery.status === 'pending';
  const button = (
    <Button
      type="primary"
      disabled={isPending}
      loading={resend.isPending}
      onClick={() =>
        resend.mutate(delivery.id, {
          onSuccess: () => message.success('Resend started. The new attempt appears below when it completes.'),
          onError: (error) => message.error(`Could not resend: ${errorMessage(error)}`),
        })
      }
    >
      Resend
    </Button>
  );
  return isPending ? <Tooltip title="A round of tries is in progress; resend when it ends.">{button}</Tooltip> : button;
}

function DeliveryDetails({ delivery, onMember }: { delivery: DeliveryDetail; onMember?: (userId: string) => void }) {
  const userId = delivery.user_id ?? null;
  return (
    <>
      {delivery.status === 'pending' && (
        <Alert type="info" showIcon title="Delivery in progress: this view refreshes until it ends." style={{ marginBottom: 16 }} />
      )}
      <Descriptions
        size="small"
        column={2}
        bordered
        items={[
          { key: 'webhook', label: 'Webhook', children: delivery.webhook_name },
          { key: 'status', label: 'Status', children: <DeliveryStatusTag status={delivery.status} /> },
          { key: 'event_id', label: 'Event ID', span: 2, children: <span className="mono">{delivery.event_id}</span> },
          { key: 'event_type', label: 'Event Type', children: delivery.event_type },
          {
            key: 'user_id',
            label: 'Member',
            span: 2,
            children: userId ? (
              <>
                <span className="mono">{userId}</span>{' '}
                {onMember && (
                  <Button size="small" type="link" onClick={() => onMember(userId)}>
                    Member timeline
                  </Button>
                )}
              </>
            ) : (
              '—'
            ),
          },
          { key: 'status_code', label: 'Status Code', children: delivery.status_code ?? '—' },
          { key: 'error', label: 'Error', span: 2, children: delivery.error ?? '—' },
          { key: 'attempts', label: 'Attempts', children: delivery.attempts },
          { key: 'delivered_at', label: 'Delivered At', children: <LocalTime value={delivery.delivered_at} /> },
          { key: 'created_at', label: 'Created At', children: <LocalTime value={delivery.created_at} /> },
        ]}
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        Attempts
      </Typography.Title>
      <AttemptList attempts={delivery.attempt_log ?? []} />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        Envelope
      </Typography.Title>
      <JsonBlock value={envelopeOf(delivery)} label="Envelope" maxHeight={240} />
    </>
  );
}
