// /v1/deliveries: the Audit Logs — list, detail with attempt log, manual retry.
import { AppError, notFound, validationError, type FieldError } from '../../domain/errors.ts';
import { isDeliveryId, isUuid, isWebhookId } from '../../domain/ids.ts';
import { findEventType } from '../../catalog/index.ts';
import type { Api, ApiDeps } from '../deps.ts';
import { decodeCursor, page, parseDateRange } from '../listing.ts';
import { attemptOut, deliveryOut } from '../presenters.ts';
import { errorsFor } from '../openapi.ts';
import { DeliveryDetailOut, DeliveryListQuery, DeliveryOut, IdParams, Page } from '../schemas.ts';

const tags = ['Deliveries'];

export function deliveryRoutes(app: Api, deps: ApiDeps): void {
  const { store } = deps;

  app.get(
    '/v1/deliveries',
    { config: { scope: 'read' }, schema: { tags, operationId: 'listDeliveries', summary: 'List deliveries (the audit log), newest first', querystring: DeliveryListQuery, response: { 200: Page(DeliveryOut), ...errorsFor('query') } } },
    async (request) => {
      const q = request.query;
      const problems: FieldError[] = [];
      const { from, to } = parseDateRange(q.start_date, q.end_date, problems);
      const beforeId = decodeCursor(q.cursor, isDeliveryId, problems);
      if (q.event_id && !isUuid(q.event_id)) problems.push({ field: 'event_id', message: `event_id must be a UUID (got "${q.event_id.slice(0, 60)}")` });
      if (q.event_type && !findEventType(q.event_type)) {
        problems.push({ field: 'event_type', message: `event_type "${q.event_type.slice(0, 60)}" is not in the catalog; GET /v1/event-types lists the valid ones` });
      }
      if (q.webhook_id && !isWebhookId(q.webhook_id)) problems.push({ field: 'webhook_id', message: `webhook_id must be a webhook id such as wh_01M8HCNEC1FKH7MF766KT6 (got "${q.webhook_id.slice(0, 60)}")` });
      if (problems.length > 0) throw validationError(problems);
      const limit = q.limit ?? 50;
      const rows = await store.listDeliveries(request.tenant, {
        createdFrom: from,
        createdTo: to,
        webhookId: q.webhook_id || undefined,
        status: q.status,
        eventType: q.event_type || undefined,
        eventId: q.event_id ? q.event_id.toLowerCase() : undefined,
        userId: q.user_id || undefined,
        beforeId,
        limit: limit + 1,
      });
      return page(rows, limit, deliveryOut);
    },
  );

  app.get(
    '/v1/deliveries/:id',
    { config: { scope: 'read' }, schema: { tags, operationId: 'getDelivery', summary: 'Read a delivery with its envelope and every attempt', params: IdParams, response: { 200: DeliveryDetailOut, ...errorsFor('id') } } },
    async (request) => {
      const { id } = request.params;
      const row = isDeliveryId(id) ? await store.getDelivery(request.tenant, id) : undefined;
      if (!row) throw notFound('delivery', id);
      const attempts = await store.listAttempts(request.tenant, id);
      return { ...deliveryOut(row), envelope: JSON.parse(row.body), attempt_log: attempts.map(attemptOut) };
    },
  );

  app.post(
    '/v1/deliveries/:id/retry',
    { config: { scope: 'manage' }, schema: { tags, operationId: 'retryDelivery', summary: 'Start a fresh round of tries now (failed, success, cancelled or superseded deliveries)', params: IdParams, response: { 202: DeliveryOut, ...errorsFor('id', 'conflict') } } },
    async (request, reply) => {
      const { id } = request.params;
      const result = isDeliveryId(id) ? await store.requeueDelivery(request.tenant, id, Date.now()) : 'not_found';
      if (result === 'not_found') throw notFound('delivery', id);
      if (result === 'pending') throw new AppError('conflict', `Delivery ${id} is still pending; wait for its round to end before retrying it.`);
      if (result === 'webhook_deleted') throw new AppError('conflict', `The webhook of delivery ${id} was deleted; it cannot be retried.`);
      deps.onRequeued();
      const row = await store.getDelivery(request.tenant, id);
      return reply.code(202).send(deliveryOut(row!));
    },
  );

  app.post(
    '/v1/deliveries/:id/cancel',
    { config: { scope: 'manage' }, schema: { tags, operationId: 'cancelDelivery', summary: 'End a pending delivery as cancelled (a try in flight cannot bring it back)', params: IdParams, response: { 200: DeliveryOut, ...errorsFor('id', 'conflict') } } },
    async (request) => {
      const { id } = request.params;
      const result = isDeliveryId(id) ? await store.cancelDelivery(request.tenant, id) : 'not_found';
      if (result === 'not_found') throw notFound('delivery', id);
      const row = (await store.getDelivery(request.tenant, id))!;
      if (result === 'not_pending') {
        throw new AppError('conflict', `Delivery ${id} is ${row.status}, not pending; only a pending delivery can be cancelled.`);
      }
      // Ordered by member (API.md §10): cancelled is final, so the member's next delivery may go now.
      if (row.userId !== null && deps.directory.get(row.webhookId)?.ordering === 'member') deps.onRequeued();
      return deliveryOut(row);
    },
  );

}
