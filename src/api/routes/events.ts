// /v1/events: ingestion (single and batch) and reading one event with its deliveries.
import type { ValidateFunction } from 'ajv';
import { CATALOG, findEventType, isOperationalType } from '../../catalog/index.ts';
import { notFound, validationError, type FieldError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/ids.ts';
import type { IngestItem } from '../../ingest/ingestor.ts';
import type { Api, ApiDeps } from '../deps.ts';
import { deliveryOut, iso } from '../presenters.ts';
import { errorsFor } from '../openapi.ts';
import { parseDateRange } from '../listing.ts';
import { BatchIn, BatchOut, EventAccepted, EventIn, EventListOut, EventListQuery, EventOut, IdParams, Page } from '../schemas.ts';
import { compileBody, mergeFieldErrors, toFieldErrors, withoutInvalid } from '../validation.ts';

const tags = ['Events'];
const MiB = 1024 * 1024;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/i;

const checkShape = compileBody(EventIn);
const checkData = new Map<string, ValidateFunction>(CATALOG.map((t) => [t.event_type, compileBody(t.schema)]));

/** One event body → an IngestItem, or the field errors that reject it. */
export function toIngestItem(body: unknown): IngestItem | FieldError[] {
  const shapeErrors = checkShape(body) ? [] : toFieldErrors(checkShape.errors ?? []);
  const event = withoutInvalid<Partial<EventIn>>(body, shapeErrors);
  const errors: FieldError[] = [];
  const type = event.event_type === undefined ? undefined : findEventType(event.event_type);
  if (event.event_type !== undefined && isOperationalType(event.event_type)) {
    errors.push({ field: 'event_type', message: `event_type "${event.event_type.slice(0, 60)}" belongs to the herald feed, which only Herald itself emits; send one of your own feeds' types` });
  } else if (event.event_type !== undefined && !type) {
    errors.push({ field: 'event_type', message: `event_type "${event.event_type}" is not in the catalog; GET /v1/event-types lists the valid ones` });
  }
  if (type && type.feed !== 'herald' && event.data !== undefined) {
    const check = checkData.get(type.event_type)!;
    if (!check(event.data)) errors.push(...toFieldErrors(check.errors ?? [], 'data'));
  }
  if (event.event_id !== undefined && !isUuid(event.event_id)) {
    errors.push({ field: 'event_id', message: `event_id must be a UUID such as 8ab4bda7-7296-4b5e-b0d9-6039773c2dc3 (got "${event.event_id.slice(0, 60)}")` });
  }
  let eventTimestamp: string | undefined;
  if (event.event_timestamp !== undefined) {
    const ms = ISO.test(event.event_timestamp) ? Date.parse(event.event_timestamp) : NaN;
    if (Number.isNaN(ms)) {
      errors.push({ field: 'event_timestamp', message: `event_timestamp must be an ISO 8601 timestamp such as 2026-11-28T12:00:00.000Z (got "${event.event_timestamp.slice(0, 60)}")` });
    } else {
      eventTimestamp = new Date(ms).toISOString();
    }
  }
  if (shapeErrors.length > 0 || errors.length > 0) return mergeFieldErrors(shapeErrors, errors);
  return {
    eventType: event.event_type!,
    data: event.data!,
    userId: event.user_id ?? null,
    eventId: event.event_id,
    eventTimestamp,
  };
}

export function eventRoutes(app: Api, deps: ApiDeps): void {
  const { ingestor, store } = deps;

  app.post(
    '/v1/events',
    { config: { scope: 'ingest' },
      bodyLimit: MiB,
      attachValidation: true, // toIngestItem reports schema and meaning errors together
      schema: { tags, operationId: 'sendEvent', summary: 'Send one event (202 once it is durably stored)', body: EventIn, response: { 200: EventAccepted, 202: EventAccepted, ...errorsFor('body') } },
    },
    async (request, reply) => {
      const item = toIngestItem(request.body);
      if (Array.isArray(item)) throw validationError(item);
      const [result] = await ingestor.submit(request.tenant, [item]);
      return reply.code(result.isNew ? 202 : 200).send({ event_id: result.eventId, event_type: result.eventType, deliveries: result.deliveries });
    },
  );

  app.post(
    '/v1/events/batch',
    { config: { scope: 'ingest' },
      bodyLimit: 16 * MiB,
      schema: { tags, operationId: 'sendEventBatch', summary: 'Send 1 to 1000 events; each is accepted or rejected on its own', body: BatchIn, response: { 202: BatchOut, ...errorsFor('body') } },
    },
    async (request, reply) => {
      const items = request.body.events.map(toIngestItem);
      const valid = items.filter((item): item is IngestItem => !Array.isArray(item));
      const results = valid.length > 0 ? await ingestor.submit(request.tenant, valid) : [];
      let next = 0;
      const data = items.map((item) => {
        if (Array.isArray(item)) {
          const fields = [...new Set(item.map((d) => d.field))].join(', ');
          return { status: 400, error: { code: 'validation_error', message: `Invalid event: check ${fields}.`, details: item } };
        }
        const result = results[next++];
        return { status: result.isNew ? 202 : 200, event_id: result.eventId, event_type: result.eventType, deliveries: result.deliveries };
      });
      return reply.code(202).send({ data });
    },
  );

  app.get(
    '/v1/events',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        operationId: 'listEvents',
        summary: 'List accepted events (envelopes), newest first; filter by member, type, date',
        querystring: EventListQuery,
        response: { 200: Page(EventListOut), ...errorsFor('query') },
      },
    },
    async (request) => {
      const q = request.query;
      const problems: FieldError[] = [];
      const { from, to } = parseDateRange(q.start_date, q.end_date, problems);
      const before = decodeEventCursor(q.cursor, problems);
      if (q.event_type && !findEventType(q.event_type)) {
        problems.push({ field: 'event_type', message: `event_type "${q.event_type.slice(0, 60)}" is not in the catalog; GET /v1/event-types lists the valid ones` });
      }
      if (problems.length > 0) throw validationError(problems);
      const limit = q.limit ?? 50;
      const rows = await store.listEvents(request.tenant, {
        userId: q.user_id || undefined,
        eventType: q.event_type || undefined,
        createdFrom: from,
        createdTo: to,
        before,
        limit: limit + 1,
      });
      const hasMore = rows.length > limit;
      const shown = hasMore ? rows.slice(0, limit) : rows;
      const last = shown[shown.length - 1];
      return {
        data: shown.map((e) => ({ ...JSON.parse(e.body), created_at: iso(e.createdAt) })),
        next_cursor: hasMore ? Buffer.from(JSON.stringify({ before: [last.createdAt, last.eventId] })).toString('base64url') : null,
      };
    },
  );

  app.get(
    '/v1/events/:id',
    { config: { scope: 'read' }, schema: { tags, operationId: 'getEvent', summary: 'Read an event with its deliveries', params: IdParams, response: { 200: EventOut, ...errorsFor('id') } } },
    async (request) => {
      const id = request.params.id.toLowerCase();
      const event = isUuid(id) ? await store.getEvent(request.tenant, id) : undefined;
      if (!event) throw notFound('event', request.params.id);
      const deliveries = await store.deliveriesOfEvent(request.tenant, id);
      return { ...JSON.parse(event.body), created_at: iso(event.createdAt), deliveries: deliveries.map(deliveryOut) };
    },
  );
}

/** Events page by (created_at, event_id): the cursor carries both. */
function decodeEventCursor(cursor: string | undefined, errors: FieldError[]): { createdAt: number; eventId: string } | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const before = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')).before;
    if (Array.isArray(before) && Number.isSafeInteger(before[0]) && typeof before[1] === 'string' && isUuid(before[1])) {
      return { createdAt: before[0], eventId: before[1] };
    }
  } catch {
    // reported below
  }
  errors.push({ field: 'cursor', message: 'cursor is not valid: pass the next_cursor value of the previous page unchanged' });
  return undefined;
}
