import { useState } from 'react';
import { Alert, Button, Checkbox, Form, Input, Modal, Typography } from 'antd';
import dayjs from 'dayjs';
import { errorMessage } from '../api/client';
import type { Webhook } from '../api/types';
import { useRecoverWebhook } from '../api/webhooks';

const LOCAL_MINUTE = 'YYYY-MM-DDTHH:mm';

/** Actions → Recover: after an outage, re-send a window's failed deliveries (and, optionally, what it missed). */
export function RecoverModal({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const [since, setSince] = useState(() => dayjs().subtract(1, 'hour').format(LOCAL_MINUTE));
  const [until, setUntil] = useState('');
  const [includeMissed, setIncludeMissed] = useState(false);
  const recover = useRecoverWebhook(webhook.id);
  const problem = !since ? 'Pick a start time.' : until && dayjs(until).isBefore(dayjs(since)) ? 'The end must not be before the start.' : null;
  const submit = () =>
    recover.mutate({
      since: dayjs(since).toISOString(),
      ...(until ? { until: dayjs(until).endOf('minute').toISOString() } : {}),
      include_missed: includeMissed,
    });
  return (
    <Modal
      open
      title={`Recover ${webhook.name}`}
      onCancel={onClose}
      footer={[
        <Button key="close" onClick={onClose}>
          Close
        </Button>,
        <Button key="recover" type="primary" disabled={Boolean(problem)} loading={recover.isPending} onClick={submit}>
          Recover
        </Button>,
      ]}
    >
      <Typography.Paragraph type="secondary">
        Every failed delivery of this webhook created in the window gets a fresh round of tries, as Resend does.
        {!webhook.enabled && ' The webhook is disabled: they wait until you enable it.'}
      </Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label="Start time" htmlFor="recover-since" required>
          <Input id="recover-since" type="datetime-local" value={since} onChange={(event) => setSince(event.target.value)} />
        </Form.Item>
        <Form.Item label="End time (optional, default now)" htmlFor="recover-until">
          <Input id="recover-until" type="datetime-local" value={until} onChange={(event) => setUntil(event.target.value)} />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={includeMissed} onChange={(event) => setIncludeMissed(event.target.checked)}>
            Include missed events (accepted in the window while it was disabled or before it existed, matching its event
            types and filter)
          </Checkbox>
        </Form.Item>
      </Form>
      {problem && <Alert type="warning" showIcon title={problem} />}
      {recover.data && (
        <Alert
          type="success"
          showIcon
          title={recover.data.deliveries === 0 ? 'Nothing to recover in that window.' : `${recover.data.deliveries} deliveries queued.`}
        />
      )}
      {recover.error && <Alert type="error" showIcon title="Could not recover" description={errorMessage(recover.error)} />}
    </Modal>
  );
}
