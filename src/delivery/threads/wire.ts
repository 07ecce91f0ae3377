// What crosses the delivery-thread boundary: batches of requests one way, batches of results the
// other, each batch one JSON text encoded to bytes whose buffer is transferred (no object graph
// is cloned per delivery). Both sides use these; nothing else knows the format.
import type { AttemptResult } from '../../domain/attempt.ts';
import type { SendRequest } from '../sender.ts';

export interface HttpOptions {
  allowPrivateTargets: boolean;
  connectionsPerOrigin: number;
}

/** Main thread → delivery thread. */
export type ToThread =
  | { type: 'send'; bytes: Uint8Array }
  | { type: 'abort' }
  | { type: 'close' };

/** Delivery thread → main thread. */
export type FromThread = { type: 'results'; bytes: Uint8Array } | { type: 'closed' };

export type RequestBatch = Array<[id: number, request: SendRequest]>;
/** Null: the try was aborted (shutdown), there is nothing to record. */
export type ResultBatch = Array<[id: number, result: AttemptResult | null]>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(batch: RequestBatch | ResultBatch): Uint8Array {
  return encoder.encode(JSON.stringify(batch));
}

export function decode<T extends RequestBatch | ResultBatch>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}
