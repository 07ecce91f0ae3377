import { Button, Card, Result, Spin, Typography } from 'antd';
import { ApiError } from '../api/client';
import { useWebhook } from '../api/webhooks';
import { ErrorState } from '../components/error-state';
import { navigate } from '../router';
import { WebhookWizard } from './webhook-wizard';
import { DEFAULT_VALUES, fromWebhook } from './wizard-values';

/** /webhooks/new and /webhooks/{id}/edit. */
export function WizardPage({ webhookId }: { webhookId?: string }) {
  const saved = useWebhook(webhookId);
  let body;
  if (!webhookId) {
    body = <WebhookWizard initialValues={DEFAULT_VALUES} />;
  } else if (saved.isPending) {
    body = <Spin description="Loading webhook…" />;
  } else if (saved.isError) {
    body =
      saved.error instanceof ApiError && saved.error.status === 404 ? (
        <Result
          status="404"
          title="This webhook does not exist"
          subTitle="It may have been deleted. Go back to the list to pick another one."
          extra={<Button onClick={() => navigate('/webhooks')}>Back to Webhooks</Button>}
        />
      ) : (
        <ErrorState error={saved.error} what="the webhook" onRetry={() => saved.refetch()} />
      );
  } else {
    body = <WebhookWizard key={saved.data.id} original={saved.data} initialValues={fromWebhook(saved.data)} />;
  }
  return (
    <Card>
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {webhookId ? `Edit Webhook${saved.data ? `: ${saved.data.name}` : ''}` : 'Create Webhook'}
      </Typography.Title>
      {body}
    </Card>
  );
}
