import { useState } from 'react';
import { Button, Input, Select } from 'antd';
import { dateRangeProblem, DayPicker, FilterField, FilterProblem } from '../components/filter-field';

export interface WebhookFilterValues {
  start_date: string;
  end_date: string;
  name: string;
  status: string;
}

export function readWebhookFilters(query: URLSearchParams): WebhookFilterValues {
  return {
    start_date: query.get('start_date') ?? '',
    end_date: query.get('end_date') ?? '',
    name: query.get('name') ?? '',
    status: query.get('status') ?? '',
  };
}

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Inactive' },
  { value: 'failed', label: 'Failed' },
];

/** Start Date, End Date, Name, Status: applied by Search (or Enter in Name), not while typing. */
export function WebhookFilters({ applied, onSearch }: { applied: WebhookFilterValues; onSearch: (v: WebhookFilterValues) => void }) {
  const [draft, setDraft] = useState(applied);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<WebhookFilterValues>) => setDraft((current) => ({ ...current, ...patch }));
  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter webhooks"
      onSubmit={(event) => {
        event.preventDefault();
        const rangeProblem = dateRangeProblem(draft.start_date, draft.end_date);
        setProblem(rangeProblem);
        if (!rangeProblem) onSearch(draft);
      }}
    >
      <FilterField id="webhooks-start-date" label="Start Date">
        <DayPicker id="webhooks-start-date" value={draft.start_date} maxDay={draft.end_date} onChange={(start_date) => set({ start_date })} />
      </FilterField>
      <FilterField id="webhooks-end-date" label="End Date">
        <DayPicker id="webhooks-end-date" value={draft.end_date} minDay={draft.start_date} onChange={(end_date) => set({ end_date })} />
      </FilterField>
      <FilterField id="webhooks-name" label="Name">
        <Input
          id="webhooks-name"
          value={draft.name}
          onChange={(event) => set({ name: event.target.value })}
          placeholder="Search by name"
          allowClear
          style={{ width: 200 }}
        />
      </FilterField>
      <FilterField id="webhooks-status" label="Status">
        <Select
          id="webhooks-status"
          value={draft.status}
          onChange={(status) => set({ status })}
          options={STATUS_OPTIONS}
          style={{ width: 140 }}
        />
      </FilterField>
      <Button type="primary" htmlType="submit">
        Search
      </Button>
      <FilterProblem problem={problem} />
    </form>
  );
}
