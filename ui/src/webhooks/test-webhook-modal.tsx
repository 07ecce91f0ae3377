import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Form, Modal, Select, Typography } from 'antd';
import { errorMessage } from '../api/client';
import type { Webhook } from '../api/types';
import { testSavedWebhook } from '../api/webhooks';
import { TestResultAlert } from '../components/test-result';

/** Actions → Test: send one example event of a chosen type to the saved webhook, show the answer. */
export function TestWebhookModal({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const [eventType, setEventType] = useState(webhook.event_types[0]);
  const test = useMutation({ mutationFn: () => testSavedWebhook(webhook.id, eventType) });
  return (
    <Modal
      open
      title={`Test ${webhook.name}`}
      onCancel={onClose}
      footer={[
        <Button key="close" onClick={onClose}>
          Close
        </Button>,
        <Button key="send" type="primary" loading={test.isPending} onClick={() => test.mutate()}>
          Send test event
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">
        Sends one example event now, with this webhook's authentication and timeout and no retries. Test sends do not
        count in the success rate.
      </Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label="Event type" htmlFor="test-event-type">
          <Select
            id="test-event-type"
            value={eventType}
            onChange={setEventType}
            options={webhook.event_types.map((type) => ({ value: type, label: type }))}
          />
        </Form.Item>
      </Form>
      {test.data && <TestResultAlert result={test.data} />}
      {test.error && <Alert type="error" showIcon title="The test could not be sent" description={errorMessage(test.error)} />}
    </Modal>
  );
}
