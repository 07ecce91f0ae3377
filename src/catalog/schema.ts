// Small builders for the JSON Schema fragments used by the catalog.
// Deliberately no `required` and no `additionalProperties: false`: ingestion accepts
// partial data and keeps unknown fields; it only rejects a named field of the wrong type.
import type { JsonSchema } from './types.ts';

export const str = (description: string): JsonSchema => ({ type: 'string', description });
export const nullableStr = (description: string): JsonSchema => ({ type: ['string', 'null'], description });
export const dateTime = (description: string): JsonSchema => ({ type: 'string', format: 'date-time', description });
export const nullableDateTime = (description: string): JsonSchema => ({
  type: ['string', 'null'],
  format: 'date-time',
  description,
});
export const int = (description: string): JsonSchema => ({ type: 'integer', description });
export const num = (description: string): JsonSchema => ({ type: 'number', description });
export const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
export const strArray = (description: string): JsonSchema => ({ type: 'array', items: { type: 'string' }, description });

export const obj = (description: string, properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  description,
  properties,
});

/** Schema of an event's `data` object: a single top-level key holding the event object. */
export const dataSchema = (key: string, description: string, properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties: { [key]: obj(description, properties) },
});
