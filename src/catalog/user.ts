import { bool, dataSchema, dateTime, str, strArray } from './schema.ts';
import type { EventTypeDef, JsonSchema } from './types.ts';

const memberFields: Record<string, JsonSchema> = {
  member_id: str('Loyalty member identifier (usually the member e-mail).'),
  email: str('Member e-mail address.'),
  first_name: str('Member first name.'),
  last_name: str('Member last name.'),
  opt_in_status: bool('Whether the member has opted in to the loyalty program communications.'),
  tier: str('Current loyalty tier of the member.'),
  created_at: dateTime('When the member was created.'),
  updated_at: dateTime('When the member was last updated.'),
};

export const USER_EVENT_TYPES: EventTypeDef[] = [
  {
    event_type: 'user.created',
    feed: 'user',
    event: 'created',
    description:
      'Sent when a new member is created in the loyalty platform. Carries the member data (name, opt-in status, tier, etc.).',
    schema: dataSchema('member', 'The newly created member.', memberFields),
    example: {
      event_id: '3f1c2a9e-6b1d-4c7a-9e2f-1a5b8c3d4e01',
      event_type: 'user.created',
      event_timestamp: '2023-10-05T09:00:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        member: {
          member_id: 'john.new@example.com',
          email: 'john.new@example.com',
          first_name: 'John',
          last_name: 'New',
          opt_in_status: true,
          tier: 'Bronze',
          created_at: '2023-10-05T09:00:00.000Z',
          updated_at: '2023-10-05T09:00:00.000Z',
        },
      },
    },
  },
  {
    event_type: 'user.updated',
    feed: 'user',
    event: 'updated',
    description:
      "Sent when a member's data changes, for example when they update their last name. Carries the updated member data and which fields changed.",
    schema: dataSchema('member', 'The member after the update.', {
      ...memberFields,
      changed_fields: strArray('Names of the member fields changed by this update.'),
    }),
    example: {
      event_id: '7d2e4b6a-1c3f-4e5d-8a9b-2c4e6f8a0b12',
      event_type: 'user.updated',
      event_timestamp: '2023-10-05T10:30:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        member: {
          member_id: 'john.new@example.com',
          email: 'john.new@example.com',
          first_name: 'John',
          last_name: 'Newman',
          opt_in_status: true,
          tier: 'Bronze',
          created_at: '2023-10-05T09:00:00.000Z',
          updated_at: '2023-10-05T10:30:00.000Z',
          changed_fields: ['last_name'],
        },
      },
    },
  },
];
