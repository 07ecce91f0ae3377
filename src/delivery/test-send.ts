// One try now, no retries, nothing stored: the Test and Verify buttons. main.ts hands this to the
// API as its TestSender port; the API never sees the engine's code.
import { randomUUID } from 'node:crypto';
import { findEventType } from '../catalog/index.ts';
import type { AttemptResult } from '../domain/attempt.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { Webhook } from '../domain/webhook.ts';
import { prepareRequest } from './prepare.ts';
import type { Sender } from './sender.ts';

export class ExampleSender {
  constructor(
    private readonly sender: Sender,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Sends the catalog example of `eventType` (the caller checked that it exists). */
  async sendTest(webhook: Webhook, eventType: string): Promise<AttemptResult> {
    const type = findEventType(eventType);
    if (!type) throw new Error(`event type ${eventType} is not in the catalog`);
    const nowMs = this.clock();
    const eventId = randomUUID();
    const body = JSON.stringify({ ...type.example, event_id: eventId, event_timestamp: new Date(nowMs).toISOString() });
    const result = await this.sender.send(await prepareRequest(webhook, eventId, body, nowMs));
    if (!result) throw new Error('the test send was cut short: Herald is stopping');
    return result;
  }
}
