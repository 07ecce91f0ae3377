import { dataSchema, dateTime, int, nullableStr, str } from './schema.ts';
import type { EventTypeDef, JsonSchema } from './types.ts';

const journeyFields: Record<string, JsonSchema> = {
  journey_id: str('Identifier of the journey.'),
  journey_name: str('Display name of the journey.'),
  member_id: str('Loyalty member identifier of the participant.'),
  status: str('Journey status for this member: "in_progress", "completed" or "abandoned".'),
  started_at: dateTime('When the member started the journey.'),
  steps_completed: int('Number of journey steps the member has completed.'),
  steps_total: int('Total number of steps in the journey.'),
};

const base = {
  journey_id: '6ab8391a-250c-473b-a1bc-828a3de66390',
  journey_name: 'Welcome Journey',
  member_id: 'john.new@example.com',
  started_at: '2023-10-05T09:05:00Z',
  steps_total: 3,
};

export const JOURNEY_EVENT_TYPES: EventTypeDef[] = [
  {
    event_type: 'journey.in_progress',
    feed: 'journey',
    event: 'in_progress',
    description: 'Sent when a member starts a journey. Enables real-time journey tracking and automation.',
    schema: dataSchema('journey', "The member's journey.", journeyFields),
    example: {
      event_id: '1a6c3e8b-5d7f-4e9a-b2c4-6e8a0c2e4a5a',
      event_type: 'journey.in_progress',
      event_timestamp: '2023-10-05T09:05:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: { journey: { ...base, status: 'in_progress', steps_completed: 0 } },
    },
  },
  {
    event_type: 'journey.completed',
    feed: 'journey',
    event: 'completed',
    description: 'Sent when a member successfully completes a journey.',
    schema: dataSchema('journey', "The member's journey.", {
      ...journeyFields,
      completed_at: dateTime('When the member completed the journey.'),
    }),
    example: {
      event_id: '4d8f1a3c-6e2b-4f5d-9a7c-8b1d3f5a7c6b',
      event_type: 'journey.completed',
      event_timestamp: '2023-10-05T11:15:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        journey: { ...base, status: 'completed', steps_completed: 3, completed_at: '2023-10-05T11:15:00Z' },
      },
    },
  },
  {
    event_type: 'journey.abandoned',
    feed: 'journey',
    event: 'abandoned',
    description: 'Sent when a member exits a journey or does not complete it.',
    schema: dataSchema('journey', "The member's journey.", {
      ...journeyFields,
      abandoned_at: dateTime('When the journey was considered abandoned.'),
      reason: nullableStr('Why the journey was abandoned (e.g. "exited", "timed_out"), or null if unknown.'),
    }),
    example: {
      event_id: '6f0b3c5e-8a4d-4b7f-8c9e-0d3f5b7c9e7c',
      event_type: 'journey.abandoned',
      event_timestamp: '2023-10-12T09:05:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        journey: {
          ...base,
          status: 'abandoned',
          steps_completed: 1,
          abandoned_at: '2023-10-12T09:05:00Z',
          reason: 'timed_out',
        },
      },
    },
  },
];
