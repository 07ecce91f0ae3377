import { useState } from 'react';
import { Button, Input, Select } from 'antd';
import { useWebhookOptions } from '../api/webhooks';
import { dateRangeProblem, DayPicker, FilterField, FilterProblem } from '../components/filter-field';

export interface AuditFilterValues {
  start_date: string;
  end_date: string;
  webhook_id: string;
  status: string;
  event_id: string;
  user_id: string;
}

export function readAuditFilters(query: URLSearchParams): AuditFilterValues {
  return {
    start_date: query.get('start_date') ?? '',
    end_date: query.get('end_date') ?? '',
    webhook_id: query.get('webhook_id') ?? '',
    status: query.get('status') ?? '',
    event_id: query.get('event_id') ?? '',
    user_id: query.get('user_id') ?? '',
  };
}

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'success', label: 'Success' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'superseded', label: 'Superseded' },
];

/** Start Date, End Date, Select Webhook, Status, Event ID, Member: applied by Search. */
export function AuditFilters({ applied, onSearch }: { applied: AuditFilterValues; onSearch: (v: AuditFilterValues) => void }) {
  const [draft, setDraft] = useState(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const webhooks = useWebhookOptions();
  const set = (patch: Partial<AuditFilterValues>) => setDraft((current) => ({ ...current, ...patch }));
  const options = [{ value: '', label: 'All webhooks' }, ...(webhooks.data ?? []).map((w) => ({ value: w.id, label: w.name }))];
  // A webhook from the URL that is not in the list (e.g. deleted) still shows by id.
  if (draft.webhook_id && webhooks.data && !webhooks.data.some((w) => w.id === draft.webhook_id)) {
    options.push({ value: draft.webhook_id, label: draft.webhook_id });
  }
  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter audit logs"
      onSubmit={(event) => {
        event.preventDefault();
        const rangeProblem = dateRangeProblem(draft.start_date, draft.end_date);
        setProblem(rangeProblem);
        if (!rangeProblem) onSearch(draft);
      }}
    >
      <FilterField id="audit-start-date" label="Start Date">
        <DayPicker id="audit-start-date" value={draft.start_date} maxDay={draft.end_date} onChange={(start_date) => set({ start_date })} />
      </FilterField>
      <FilterField id="audit-end-date" label="End Date">
        <DayPicker id="audit-end-date" value={draft.end_date} minDay={draft.start_date} onChange={(end_date) => set({ end_date })} />
      </FilterField>
      <FilterField id="audit-webhook" label="Select Webhook">
        <Select
          id="audit-webhook"
          value={draft.webhook_id}
          onChange={(webhook_id) => set({ webhook_id })}
          options={options}
          loading={webhooks.isPending}
          showSearch={{ optionFilterProp: 'label' }}
          style={{ width: 220 }}
        />
      </FilterField>
      <FilterField id="audit-status" label="Status">
        <Select id="audit-status" value={draft.status} onChange={(status) => set({ status })} options={STATUS_OPTIONS} style={{ width: 130 }} />
      </FilterField>
      <FilterField id="audit-event-id" label="Event ID">
        <Input
          id="audit-event-id"
          value={draft.event_id}
          onChange={(event) => set({ event_id: event.target.value.trim() })}
          placeholder="UUID"
          allowClear
          style={{ width: 200 }}
        />
      </FilterField>
      <FilterField id="audit-member" label="Member">
        <Input
          id="audit-member"
          value={draft.user_id}
          onChange={(event) => set({ user_id: event.target.value.trim() })}
          placeholder="user_id"
          allowClear
          style={{ width: 200 }}
        />
      </FilterField>
      <Button type="primary" htmlType="submit">
        Search
      </Button>
      <FilterProblem problem={problem} />
    </form>
  );
}
