import { useState } from 'react';
import { App, Button, Popconfirm, Space } from 'antd';
import { errorMessage } from '../api/client';
import type { Webhook } from '../api/types';
import { useDeleteWebhook } from '../api/webhooks';
import { href, navigate } from '../router';
import { RecoverModal } from './recover-modal';
import { useAccess } from '../access';
import { TestWebhookModal } from './test-webhook-modal';

export function WebhookActions({ webhook }: { webhook: Webhook }) {
  const { message } = App.useApp();
  const [isTesting, setTesting] = useState(false);
  const [isRecovering, setRecovering] = useState(false);
  const remove = useDeleteWebhook();
  const { canWrite } = useAccess();
  const deleteWebhook = () =>
    remove.mutateAsync(webhook.id).then(
      () => message.success(`Deleted ${webhook.name}.`),
      (error) => message.error(`Could not delete ${webhook.name}: ${errorMessage(error)}`),
    );
  return (
    <Space size={0} wrap={false} className="row-actions">
      {canWrite && (
      <Button type="link" size="small" aria-label={`Edit ${webhook.name}`} onClick={() => navigate(`/webhooks/${encodeURIComponent(webhook.id)}/edit`)}>
        Edit
      </Button>
      )}
      {canWrite && (
      <Button type="link" size="small" aria-label={`Test ${webhook.name}`} onClick={() => setTesting(true)}>
        Test
      </Button>
      )}
      <Button
        type="link"
        size="small"
        aria-label={`Logs ${webhook.name}`}
        onClick={() => navigate(href('/audit-logs', { webhook_id: webhook.id }))}
      >
        Logs
      </Button>
      {canWrite && (
      <Button type="link" size="small" aria-label={`Recover ${webhook.name}`} onClick={() => setRecovering(true)}>
        Recover
      </Button>
      )}
      {canWrite && (
      <Popconfirm
        title={`Delete ${webhook.name}?`}
        description="Its pending deliveries end as failed; its audit logs stay readable."
        okText="Delete"
        okButtonProps={{ danger: true }}
        onConfirm={deleteWebhook}
      >
        <Button type="link" size="small" danger aria-label={`Delete ${webhook.name}`} loading={remove.isPending}>
          Delete
        </Button>
      </Popconfirm>
      )}
      {isTesting && <TestWebhookModal webhook={webhook} onClose={() => setTesting(false)} />}
      {isRecovering && <RecoverModal webhook={webhook} onClose={() => setRecovering(false)} />}
    </Space>
  );
}
