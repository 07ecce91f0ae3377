import type { ReactNode } from 'react';
import { DatePicker } from 'antd';
import dayjs from 'dayjs';

export function FilterField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

interface DayPickerProps {
  id: string;
  value: string;
  onChange: (day: string) => void;
  /** Days before `minDay` / after `maxDay` (YYYY-MM-DD) cannot be picked: an End Date before the Start Date. */
  minDay?: string;
  maxDay?: string;
}

/** A calendar day as YYYY-MM-DD (local), or '' for none. */
export function DayPicker({ id, value, onChange, minDay, maxDay }: DayPickerProps) {
  return (
    <DatePicker
      id={id}
      value={value ? dayjs(value) : null}
      onChange={(day) => onChange(day ? day.format('YYYY-MM-DD') : '')}
      disabledDate={(day) => {
        const text = day.format('YYYY-MM-DD');
        return Boolean((minDay && text < minDay) || (maxDay && text > maxDay));
      }}
      format="YYYY-MM-DD"
      placeholder="YYYY-MM-DD"
      style={{ width: 150 }}
    />
  );
}

/** Days are YYYY-MM-DD, so they compare as text. */
export function dateRangeProblem(startDay: string, endDay: string): string | null {
  return startDay && endDay && startDay > endDay ? 'End Date is before Start Date: change one of them, then Search.' : null;
}

export function FilterProblem({ problem }: { problem: string | null }) {
  return problem ? (
    <span role="alert" className="filter-problem">
      {problem}
    </span>
  ) : null;
}
