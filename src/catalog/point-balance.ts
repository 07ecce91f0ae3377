import { dataSchema, dateTime, int, num, str } from './schema.ts';
import type { EventTypeDef } from './types.ts';

export const POINT_BALANCE_EVENT_TYPES: EventTypeDef[] = [
  {
    event_type: 'point_balance.user_updated',
    feed: 'point_balance',
    event: 'user_updated',
    description: "Sent when an individual member's point balance changes. Carries the updated balance details.",
    schema: dataSchema('point_balance', "The member's point balance.", {
      member_id: str('Loyalty member identifier.'),
      balance: num('Point balance after the change.'),
      previous_balance: num('Point balance before the change.'),
      change: num('Points added (positive) or removed (negative).'),
      reason: str('Why the balance changed (e.g. "purchase", "redemption").'),
      updated_at: dateTime('When the balance changed.'),
    }),
    example: {
      event_id: '0e2a4c6f-9b1d-4a3c-8e5f-1a3c5e7f9b8d',
      event_type: 'point_balance.user_updated',
      event_timestamp: '2023-10-05T15:00:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        point_balance: {
          member_id: 'john.new@example.com',
          balance: 1250,
          previous_balance: 1000,
          change: 250,
          reason: 'purchase',
          updated_at: '2023-10-05T15:00:00Z',
        },
      },
    },
  },
  {
    event_type: 'point_balance.group_updated',
    feed: 'point_balance',
    event: 'group_updated',
    description: "Sent when a group's shared point balance changes. Carries the updated group balance details.",
    schema: dataSchema('group_point_balance', "The group's point balance.", {
      group_id: str('Identifier of the group.'),
      group_name: str('Display name of the group.'),
      balance: num('Group point balance after the change.'),
      previous_balance: num('Group point balance before the change.'),
      change: num('Points added (positive) or removed (negative).'),
      members_count: int('Number of members in the group.'),
      reason: str('Why the balance changed (e.g. "member_purchase", "adjustment").'),
      updated_at: dateTime('When the group balance changed.'),
    }),
    example: {
      event_id: 'b3d5f7a9-2c4e-4f6a-9b8d-3e5f7a9c1d9e',
      event_type: 'point_balance.group_updated',
      event_timestamp: '2023-10-05T15:00:00.000Z',
      schema_version: '1.0.0',
      user_id: null,
      data: {
        group_point_balance: {
          group_id: 'GRP-2001',
          group_name: 'New Family',
          balance: 5400,
          previous_balance: 5150,
          change: 250,
          members_count: 4,
          reason: 'member_purchase',
          updated_at: '2023-10-05T15:00:00Z',
        },
      },
    },
  },
];
