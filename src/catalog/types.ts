export type FeedId = 'user' | 'badge' | 'reward' | 'journey' | 'point_balance' | 'herald';

export type JsonSchema = Record<string, unknown>;

export interface Envelope {
  event_id: string;
  event_type: string;
  event_timestamp: string;
  schema_version: string;
  user_id: string | null;
  data: Record<string, unknown>;
}

export interface EventTypeDef {
  event_type: string;
  feed: FeedId;
  event: string;
  description: string;
  schema: JsonSchema;
  example: Envelope;
}

export interface Feed {
  id: FeedId;
  label: string;
  event_types: string[];
}
