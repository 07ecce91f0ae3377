// Map the API's error `details[].field` (dotted paths) to wizard fields and the step that holds them.
import type { NamePath } from 'antd/es/form/interface';
import type { FieldError } from '../api/types';
import type { WizardValues } from './wizard-values';

export const STEP_TITLES = ['Endpoint Details', 'Event Subscriptions', 'Securities & Retries'];

const STEP_OF_ROOT: Record<string, number> = {
  name: 0,
  method: 0,
  url: 0,
  description: 0,
  auth: 0,
  event_types: 1,
  filter_text: 1,
  retry: 2,
  rate_limit_per_second: 2,
  headers: 2,
  enabled: 2,
};

/** The form fields each step validates before Next. */
export const STEP_FIELDS: NamePath[][] = [
  ['name', 'method', 'url', 'description', ['auth', 'type'], ['auth', 'secret'], ['auth', 'username'], ['auth', 'password']],
  ['event_types', 'filter_text'],
  [['retry', 'attempts'], ['retry', 'delay_seconds'], ['retry', 'timeout_seconds'], ['retry', 'backoff'], ['retry', 'max_delay_seconds'], 'rate_limit_per_second', 'headers', 'enabled'],
];

export function stepOf(name: NamePath): number {
  const root = String(Array.isArray(name) ? name[0] : name);
  return STEP_OF_ROOT[root] ?? 0;
}

export function fieldPathFor(field: string, values: Partial<WizardValues>): NamePath | null {
  const [root, ...rest] = field.split('.');
  const sub = rest.join('.');
  switch (root) {
    case 'name':
    case 'url':
    case 'method':
    case 'description':
    case 'enabled':
    case 'event_types':
    case 'rate_limit_per_second':
      return root;
    case 'filter':
      return 'filter_text';
    case 'auth':
      return ['secret', 'username', 'password'].includes(sub) ? ['auth', sub] : ['auth', 'type'];
    case 'retry':
      return ['attempts', 'delay_seconds', 'timeout_seconds', 'backoff', 'max_delay_seconds'].includes(sub) ? ['retry', sub] : ['retry', 'attempts'];
    case 'headers': {
      const rows = values.headers ?? [];
      const index = rows.findIndex((row) => row?.name?.trim().toLowerCase() === sub.toLowerCase());
      if (index >= 0) return ['headers', index, 'name'];
      const numeric = Number(sub);
      return Number.isInteger(numeric) && numeric >= 0 && numeric < rows.length ? ['headers', numeric, 'name'] : null;
    }
    default:
      return null;
  }
}

export interface MappedErrors {
  fields: Array<{ name: NamePath; errors: string[] }>;
  unmapped: string[];
}

/** Group the API's details by wizard field; details that name no field we show go to `unmapped`. */
export function mapFieldErrors(details: FieldError[], values: Partial<WizardValues>): MappedErrors {
  const byField = new Map<string, { name: NamePath; errors: string[] }>();
  const unmapped: string[] = [];
  for (const detail of details) {
    const name = fieldPathFor(detail.field ?? '', values);
    if (name === null) {
      unmapped.push(detail.field ? `${detail.field}: ${detail.message}` : detail.message);
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(detail.message);
    byField.set(key, entry);
  }
  return { fields: [...byField.values()], unmapped };
}
