import { Tag, Tooltip, Typography } from 'antd';
import type { Webhook } from '../api/types';
import dayjs from 'dayjs';
import { formatLocal } from '../format';

/**
 * Health (API.md §9) beside the spec's columns, which stay as defined: under Last Failure, how
 * many deliveries in a row failed and since when; beside the Enable switch, why it is off.
 */
export function FailingSince({ webhook }: { webhook: Webhook }) {
  const health = webhook.health;
  if (!health || health.consecutive_failures === 0) return null;
  const count = health.consecutive_failures;
  const since = health.failing_since ? dayjs(health.failing_since).format('MM-DD HH:mm') : null;
  const title = health.failing_since ? `${count} deliveries in a row failed, the first at ${formatLocal(health.failing_since)}` : undefined;
  return (
    <Typography.Text type="danger" className="webhook-health" title={title}>
      {count} failed in a row
      {since && (
        <>
          <br />
          since {since}
        </>
      )}
    </Typography.Text>
  );
}

export function DisabledReason({ webhook }: { webhook: Webhook }) {
  const health = webhook.health;
  if (webhook.enabled || health?.disabled_reason !== 'auto') return null;
  const policy = webhook.auto_disable;
  const reason = policy
    ? `Disabled by Herald: ${health.consecutive_failures} deliveries in a row failed (policy: after ${policy.after_failures} failures${policy.after_hours > 0 ? ` over ${policy.after_hours} h` : ''}). Enable it to reset its health.`
    : `Disabled by Herald after ${health.consecutive_failures} failed deliveries in a row. Enable it to reset its health.`;
  return (
    <Tooltip title={reason}>
      <Tag color="volcano" className="auto-disabled" aria-label={`Auto-disabled: ${reason}`}>
        Auto-disabled
      </Tag>
    </Tooltip>
  );
}
