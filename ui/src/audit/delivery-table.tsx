import type { ReactNode } from 'react';
import { Button, Table, type TableColumnsType } from 'antd';
import type { Delivery } from '../api/types';
import { LocalTime } from '../components/local-time';
import { DeliveryStatusTag } from '../components/status-tags';

function columns(onOpen: (id: string) => void): TableColumnsType<Delivery> {
  return [
    { title: 'Webhook Name', dataIndex: 'webhook_name', width: 140, ellipsis: true },
    {
      title: 'Event ID',
      dataIndex: 'event_id',
      width: 285,
      render: (eventId: string, delivery) => (
        // The focusable way into the detail drawer (the whole row is clickable too).
        <Button
          type="link"
          size="small"
          className="mono"
          style={{ padding: 0 }}
          aria-label={`Details of event ${eventId}`}
          onClick={(event) => {
            event.stopPropagation();
            onOpen(delivery.id);
          }}
        >
          {eventId}
        </Button>
      ),
    },
    { title: 'Event Type', dataIndex: 'event_type', width: 150, ellipsis: true },
    {
      title: 'Status',
      dataIndex: 'status',
      width: 84,
      render: (_: unknown, delivery) => <DeliveryStatusTag status={delivery.status} />,
    },
    {
      title: 'Status Code',
      dataIndex: 'status_code',
      width: 104,
      render: (code: number | null) => code ?? '—',
    },
    {
      title: 'Error',
      dataIndex: 'error',
      ellipsis: true,
      render: (error: string | null) => (error ? <span title={error}>{error}</span> : '—'),
    },
    { title: 'Attempts', dataIndex: 'attempts', width: 84, align: 'right' },
    {
      title: 'Delivered At',
      dataIndex: 'delivered_at',
      width: 104,
      render: (value: string | null) => <LocalTime value={value} stacked />,
    },
    {
      title: 'Created At',
      dataIndex: 'created_at',
      width: 104,
      render: (value: string) => <LocalTime value={value} stacked />,
    },
  ];
}

export function DeliveryTable(props: { rows: Delivery[]; isLoading: boolean; empty: ReactNode; onOpen: (id: string) => void }) {
  return (
    <Table<Delivery>
      rowKey="id"
      columns={columns(props.onOpen)}
      dataSource={props.rows}
      loading={props.isLoading}
      pagination={false}
      size="middle"
      tableLayout="fixed"
      scroll={{ x: 1200 }}
      rowClassName="clickable-row"
      onRow={(delivery) => ({ onClick: () => props.onOpen(delivery.id) })}
      // While loading, the spinner alone: no "nothing here yet" under it.
      locale={{ emptyText: props.isLoading ? <div className="table-loading" /> : props.empty }}
    />
  );
}
