import { Tag } from 'antd';
import type { DeliveryStatus, WebhookStatus } from '../api/types';

const WEBHOOK_STATUS: Record<WebhookStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'green' },
  inactive: { label: 'Inactive', color: 'default' },
  failed: { label: 'Failed', color: 'red' },
};

const DELIVERY_STATUS: Record<DeliveryStatus, { label: string; color: string }> = {
  success: { label: 'Success', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  pending: { label: 'Pending', color: 'blue' },
  cancelled: { label: 'Cancelled', color: 'default' },
  superseded: { label: 'Superseded', color: 'purple' },
};

export function WebhookStatusTag({ status }: { status: WebhookStatus }) {
  const shown = WEBHOOK_STATUS[status] ?? { label: status, color: 'default' };
  return <Tag color={shown.color}>{shown.label}</Tag>;
}

export function DeliveryStatusTag({ status }: { status: DeliveryStatus }) {
  const shown = DELIVERY_STATUS[status] ?? { label: status, color: 'default' };
  return <Tag color={shown.color}>{shown.label}</Tag>;
}
