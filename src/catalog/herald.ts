import { int, nullableStr, str } from './schema.ts';
import type { EventTypeDef, JsonSchema } from './types.ts';


// The `herald` feed (API.md §9): operational events Herald emits itself, into the webhook's
// tenant, in the same transaction as the state change that causes them. Clients cannot send them.
const webhookFields: Record<string, JsonSchema> = {
  webhook_id: str('Id of the webhook (wh_…).'),
  webhook_name: str('Name of the webhook.'),
  consecutive_failures: int('Deliveries to the webhook in a row that ended failed, after the failure that caused this event.'),
};

const failureFields: Record<string, JsonSchema> = {
  ...webhookFields,
  delivery_id: str('Id of the delivery that failed (dlv_…).'),
  event_id: str('Id of the event that delivery carried.'),
  error: nullableStr('Error of the last try of that delivery.'),
};

const flat = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', properties });

/** The failure both failure-carrying types report in their examples. */
const EXAMPLE_FAILURE = {
  webhook_id: 'wh_01M8HCNEC1FKH7MF766KT6',
  webhook_name: 'CRM sync',
  consecutive_failures: 1,
  delivery_id: 'dlv_01M8HCP2Q4V9X3JZK8RNTB',
  event_id: '8ab4bda7-7296-4b5e-b0d9-6039773c2dc3',
  error: 'HTTP 503',
};

export const HERALD_EVENT_TYPES: EventTypeDef[] = [
  {
    event_type: 'herald.webhook.failing',
    feed: 'herald',
    event: 'webhook.failing',
    description: "Sent by Herald when a webhook's delivery fails for the first time since the webhook was created, enabled or last succeeded.",
    schema: flat(failureFields),
    example: {
      event_id: '5f0c2d7a-3b1e-4c9a-8e6d-2a7b9c1d3e4f',
      event_type: 'herald.webhook.failing',
      event_timestamp: '2026-11-28T12:00:00.000Z',
      schema_version: '1.0.0',
      user_id: null,
      data: EXAMPLE_FAILURE,
    },
  },
  {
    event_type: 'herald.webhook.disabled',
    feed: 'herald',
    event: 'webhook.disabled',
    description: 'Sent by Herald when it disables a webhook by its auto_disable policy (too many deliveries in a row failed).',
    schema: flat(webhookFields),
    example: {
      event_id: '6a1d3e8b-4c2f-4d0b-9f7e-3b8c0d2e4f5a',
      event_type: 'herald.webhook.disabled',
      event_timestamp: '2026-11-28T13:00:00.000Z',
      schema_version: '1.0.0',
      user_id: null,
      data: { webhook_id: 'wh_01M8HCNEC1FKH7MF766KT6', webhook_name: 'CRM sync', consecutive_failures: 10 },
    },
  },
  {
    event_type: 'herald.delivery.exhausted',
    feed: 'herald',
    event: 'delivery.exhausted',
    description: 'Sent by Herald when a delivery ends failed: its tries are used up, or the failure is permanent (blocked target, 410 Gone).',
    schema: flat(failureFields),
    example: {
      event_id: '7b2e4f9c-5d3a-4e1c-8a8f-4c9d1e3f5a6b',
      event_type: 'herald.delivery.exhausted',
      event_timestamp: '2026-11-28T12:00:00.000Z',
      schema_version: '1.0.0',
      user_id: null,
      data: EXAMPLE_FAILURE,
    },
  },
];
