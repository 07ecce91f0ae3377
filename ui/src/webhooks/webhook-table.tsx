import type { ReactNode } from 'react';
import { Table, Typography, type TableColumnsType } from 'antd';
import type { Webhook } from '../api/types';
import { formatSuccessRate } from '../format';
import { LocalTime } from '../components/local-time';
import { WebhookStatusTag } from '../components/status-tags';
import { EnableToggle } from './enable-toggle';
import { WebhookActions } from './webhook-actions';
import { DisabledReason, FailingSince } from './webhook-health';

const columns: TableColumnsType<Webhook> = [
  {
    title: 'Name',
    dataIndex: 'name',
    width: 140,
    render: (name: string) => <Typography.Text strong>{name}</Typography.Text>,
  },
  {
    title: 'URL',
    dataIndex: 'url',
    ellipsis: true,
    render: (url: string) => (
      <span className="mono" title={url}>
        {url}
      </span>
    ),
  },
  { title: 'Method', dataIndex: 'method', width: 76 },
  {
    title: 'Status',
    dataIndex: 'status',
    width: 84,
    render: (_: unknown, webhook) => <WebhookStatusTag status={webhook.status} />,
  },
  {
    title: 'Success Rate',
    key: 'success_rate',
    width: 116,
    align: 'right',
    render: (_: unknown, { stats }) => (
      <span title={`${stats.succeeded} of ${stats.total} deliveries succeeded`}>{formatSuccessRate(stats.success_rate)}</span>
    ),
  },
  {
    title: 'Last Success',
    key: 'last_success_at',
    width: 112,
    render: (_: unknown, { stats }) => <LocalTime value={stats.last_success_at} stacked />,
  },
  {
    title: 'Last Failure',
    key: 'last_failure_at',
    width: 128,
    render: (_: unknown, webhook) => (
      <>
        <LocalTime value={webhook.stats.last_failure_at} stacked />
        <FailingSince webhook={webhook} />
      </>
    ),
  },
  {
    title: 'Create Date',
    dataIndex: 'created_at',
    width: 112,
    render: (createdAt: string) => <LocalTime value={createdAt} stacked />,
  },
  {
    title: 'Enable',
    key: 'enabled',
    width: 100,
    render: (_: unknown, webhook) => (
      <span className="enable-cell">
        <EnableToggle webhook={webhook} />
        <DisabledReason webhook={webhook} />
      </span>
    ),
  },
  {
    title: 'Actions',
    key: 'actions',
    width: 244,
    render: (_: unknown, webhook) => <WebhookActions webhook={webhook} />,
  },
];

export function WebhookTable(props: { rows: Webhook[]; isLoading: boolean; empty: ReactNode }) {
  return (
    <Table<Webhook>
      rowKey="id"
      columns={columns}
      dataSource={props.rows}
      loading={props.isLoading}
      pagination={false}
      size="middle"
      tableLayout="fixed"
      scroll={{ x: 1232 }}
      // While loading, the spinner alone: no "nothing here yet" under it.
      locale={{ emptyText: props.isLoading ? <div className="table-loading" /> : props.empty }}
    />
  );
}
