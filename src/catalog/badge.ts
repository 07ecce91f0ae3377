import { bool, dataSchema, dateTime, nullableDateTime, str } from './schema.ts';
import type { EventTypeDef } from './types.ts';

export const BADGE_EVENT_TYPES: EventTypeDef[] = [
  {
    event_type: 'badge.awarded',
    feed: 'badge',
    event: 'awarded',
    description: 'Sent when a badge is awarded to a member. Carries the badge award details (badge, member, date awarded, etc.).',
    schema: dataSchema('awarded_badge', 'The badge award.', {
      id: str('Identifier of this badge award.'),
      awarded_at: dateTime('When the badge was awarded.'),
      awarded_by: str('What awarded the badge (e.g. "Journey").'),
      journey_id: str('Journey that awarded the badge, if any.'),
      expiry_date: nullableDateTime('When the awarded badge expires, or null if it never expires.'),
      is_expired: bool('Whether the awarded badge has expired.'),
      note: str('Free-text note about the award.'),
      badge_id: str('Identifier of the badge.'),
      member_id: str('Loyalty member identifier of the recipient.'),
    }),
    example: {
      event_id: '2b9d6f1e-4a8c-4d3b-9f7e-5c1a3e7b9d24',
      event_type: 'badge.awarded',
      event_timestamp: '2023-10-05T11:15:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        awarded_badge: {
          id: '2c73c62a-98b7-4448-a6e5-aecc6567ddb5',
          awarded_at: '2023-10-05T11:15:00Z',
          awarded_by: 'Journey',
          journey_id: 'd7e63a79-571a-41a1-b470-bf164ed70714',
          expiry_date: null,
          is_expired: false,
          note: 'Awarded for Journey Test',
          badge_id: '3895bbdf-5d6a-40de-a45e-9e1cef10949e',
          member_id: 'john.new@example.com',
        },
      },
    },
  },
];
