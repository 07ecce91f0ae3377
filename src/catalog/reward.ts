import { dataSchema, dateTime, int, nullableStr, str } from './schema.ts';
import type { EventTypeDef } from './types.ts';

export const REWARD_EVENT_TYPES: EventTypeDef[] = [
  {
    event_type: 'reward.awarded',
    feed: 'reward',
    event: 'awarded',
    description: 'Sent when a reward is issued to a member. Carries the reward award details.',
    schema: dataSchema('awarded_reward', 'The reward award.', {
      transaction_id: str('Identifier of the award transaction.'),
      reward_id: str('Identifier of the reward.'),
      member_id: str('Loyalty member identifier of the recipient.'),
      note: nullableStr('Free-text note about the award, or null.'),
      awarded_by: str('What awarded the reward (e.g. "Journey").'),
      journey_id: str('Journey that awarded the reward, if any.'),
      awarded_at: dateTime('When the reward was awarded.'),
    }),
    example: {
      event_id: '8ab4bda7-7296-4b5e-b0d9-6039773c2dc3',
      event_type: 'reward.awarded',
      event_timestamp: '2023-10-05T14:20:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        awarded_reward: {
          transaction_id: '2555babf-2ca8-4e72-a275-81a4d06152e5',
          reward_id: 'REW-12343',
          member_id: 'john.new@example.com',
          note: null,
          awarded_by: 'Journey',
          journey_id: '6ab8391a-250c-473b-a1bc-828a3de66390',
          awarded_at: '2023-10-05T11:15:00Z',
        },
      },
    },
  },
  {
    event_type: 'reward.expired',
    feed: 'reward',
    event: 'expired',
    description: "Sent when a member's reward expires, so the external system can update the reward lifecycle.",
    schema: dataSchema('expired_reward', 'The reward that expired.', {
      transaction_id: str('Identifier of the original award transaction.'),
      reward_id: str('Identifier of the reward.'),
      reward_name: str('Display name of the reward.'),
      member_id: str('Loyalty member identifier of the reward holder.'),
      awarded_at: dateTime('When the reward was originally awarded.'),
      expired_at: dateTime('When the reward expired.'),
    }),
    example: {
      event_id: '5e8a1c3d-7f2b-4a6e-b1d4-9c3e5a7f1b36',
      event_type: 'reward.expired',
      event_timestamp: '2023-11-05T00:00:00.000Z',
      schema_version: '1.0.0',
      user_id: 'john.new@example.com',
      data: {
        expired_reward: {
          transaction_id: '2555babf-2ca8-4e72-a275-81a4d06152e5',
          reward_id: 'REW-12343',
          reward_name: '10% Off Coupon',
          member_id: 'john.new@example.com',
          awarded_at: '2023-10-05T11:15:00Z',
          expired_at: '2023-11-05T00:00:00Z',
        },
      },
    },
  },
  {
    event_type: 'reward.low_coupon_alert',
    feed: 'reward',
    event: 'low_coupon_alert',
    description:
      "Sent when a reward's coupon inventory falls below its alert threshold, so the external system can monitor and restock inventory.",
    schema: dataSchema('coupon_inventory', 'Coupon inventory state of the reward.', {
      reward_id: str('Identifier of the reward.'),
      reward_name: str('Display name of the reward.'),
      remaining_coupons: int('Number of coupons still available.'),
      threshold: int('Alert threshold the inventory fell below.'),
      checked_at: dateTime('When the inventory was checked.'),
    }),
    example: {
      event_id: '9c4f2e7a-3b5d-4c8e-a6f1-7d2b4e6a8c48',
      event_type: 'reward.low_coupon_alert',
      event_timestamp: '2023-10-06T08:00:00.000Z',
      schema_version: '1.0.0',
      user_id: null,
      data: {
        coupon_inventory: {
          reward_id: 'REW-12343',
          reward_name: '10% Off Coupon',
          remaining_coupons: 12,
          threshold: 50,
          checked_at: '2023-10-06T08:00:00Z',
        },
      },
    },
  },
];
