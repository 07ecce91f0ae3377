// /v1/webhooks: create, list, read, patch, delete, secret, rotate, test sends.
import Type from 'typebox';
import { findEventType } from '../../catalog/index.ts';
import { AppError, notFound, validationError, type FieldError } from '../../domain/errors.ts';
import { isWebhookId, newWebhookId, type TenantId } from '../../domain/ids.ts';
import { ROTATION_OVERLAP_MS, type Webhook } from '../../domain/webhook.ts';
import { NameTakenError } from '../../store/ports.ts';
import { fromWebhookRow, toWebhookRow } from '../../webhooks/codec.ts';
import type { Api, ApiDeps } from '../deps.ts';
import { decodeCursor, page, parseDate, parseDateRange } from '../listing.ts';
import { testOut, webhookOut } from '../presenters.ts';
import { errorsFor } from '../openapi.ts';
import {
  IdParams,
  Page,
  RecoverIn,
  RecoverOut,
  SecretOut,
  TestIn,
  TestOut,
  UnsavedTestIn,
  WebhookIn,
  WebhookListQuery,
  WebhookOut,
  WebhookPatch,
} from '../schemas.ts';
import { applyPatch, generateJwtSecret, generateSignatureSecret, webhookFromInput } from '../webhook-input.ts';
import { checkAll, schemaErrors, withoutInvalid } from '../validation.ts';

const tags = ['Webhooks'];

export function webhookRoutes(app: Api, deps: ApiDeps): void {
  const { store, box, directory } = deps;

  async function load(tenant: TenantId, id: string): Promise<Webhook> {
    const row = isWebhookId(id) ? await store.getWebhook(tenant, id) : undefined;
    if (!row) throw notFound('webhook', id);
    return fromWebhookRow(row, box);
  }

  async function present(tenant: TenantId, webhook: Webhook) {
    const [stats, health] = await Promise.all([store.webhookStats(tenant, [webhook.id]), store.webhookHealth(tenant, [webhook.id])]);
    return webhookOut(webhook, stats.get(webhook.id), health.get(webhook.id));
  }

  async function save(tenant: TenantId, webhook: Webhook, isNew: boolean): Promise<void> {
    if (await store.isNameTaken(tenant, webhook.name, isNew ? undefined : webhook.id)) throw nameConflict(webhook.name);
    try {
      if (isNew) await store.insertWebhook(tenant, toWebhookRow(webhook, box));
      else if (!(await store.updateWebhook(tenant, toWebhookRow(webhook, box)))) throw notFound('webhook', webhook.id);
    } catch (error) {
      if (error instanceof NameTakenError) throw nameConflict(webhook.name);
      throw error;
    }
    await directory.invalidate();
  }

  const context = () => ({ allowPrivateTargets: deps.allowPrivateTargets, nowMs: Date.now() });

  app.post(
    '/v1/webhooks',
    { config: { scope: 'manage' }, attachValidation: true, schema: { tags, operationId: 'createWebhook', summary: 'Create a webhook', body: WebhookIn, response: { 201: WebhookOut, ...errorsFor('body', 'conflict') } } },
    async (request, reply) => {
      const shape = schemaErrors(request);
      const webhook = await checkAll(shape, () => webhookFromInput(newWebhookId(), withoutInvalid(request.body, shape), context()));
      await save(request.tenant, webhook, true);
      return reply.code(201).send(await present(request.tenant, webhook));
    },
  );

  app.get(
    '/v1/webhooks',
    { config: { scope: 'read' }, schema: { tags, operationId: 'listWebhooks', summary: 'List webhooks, newest first', querystring: WebhookListQuery, response: { 200: Page(WebhookOut), ...errorsFor('query') } } },
    async (request) => {
      const q = request.query;
      const problems: FieldError[] = [];
      const { from, to } = parseDateRange(q.start_date, q.end_date, problems);
      const beforeId = decodeCursor(q.cursor, isWebhookId, problems);
      if (problems.length > 0) throw validationError(problems);
      const limit = q.limit ?? 50;
      const rows = await store.listWebhooks(request.tenant, {
        nameContains: q.name || undefined,
        createdFrom: from,
        createdTo: to,
        status: q.status,
        beforeId,
        limit: limit + 1,
      });
      const ids = rows.map((r) => r.id);
      const [stats, health] = await Promise.all([store.webhookStats(request.tenant, ids), store.webhookHealth(request.tenant, ids)]);
      return page(rows, limit, (row) => webhookOut(fromWebhookRow(row, box), stats.get(row.id), health.get(row.id)));
    },
  );

  app.get(
    '/v1/webhooks/:id',
    { config: { scope: 'read' }, schema: { tags, operationId: 'getWebhook', summary: 'Read a webhook', params: IdParams, response: { 200: WebhookOut, ...errorsFor('id') } } },
    async (request) => present(request.tenant, await load(request.tenant, request.params.id)),
  );

  app.patch(
    '/v1/webhooks/:id',
    { config: { scope: 'manage' },
      attachValidation: true,
      schema: { tags, operationId: 'updateWebhook', summary: 'Change a webhook ({"enabled": false} is the toggle)', params: IdParams, body: WebhookPatch, response: { 200: WebhookOut, ...errorsFor('id', 'body', 'conflict') } },
    },
    async (request) => {
      const current = await load(request.tenant, request.params.id);
      const shape = schemaErrors(request);
      const updated = await checkAll(shape, () => applyPatch(current, withoutInvalid(request.body, shape), context()));
      await save(request.tenant, updated, false);
      return present(request.tenant, updated);
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    { config: { scope: 'manage' }, schema: { tags, operationId: 'deleteWebhook', summary: 'Delete a webhook; its pending deliveries end as failed', params: IdParams, response: { 204: Type.Null(), ...errorsFor('id') } } },
    async (request, reply) => {
      const { id } = request.params;
      if (!isWebhookId(id) || !(await store.deleteWebhook(request.tenant, id, Date.now()))) throw notFound('webhook', id);
      await directory.invalidate();
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/:id/recover',
    {
      config: { scope: 'manage' },
      attachValidation: true,
      schema: {
        tags,
        operationId: 'recoverWebhook',
        summary: 'Re-send what a webhook missed: its failed deliveries of a window get a fresh round (include_missed: events it never got, too)',
        params: IdParams,
        body: RecoverIn,
        response: { 202: RecoverOut, ...errorsFor('id', 'body') },
      },
    },
    async (request, reply) => {
      const webhook = await load(request.tenant, request.params.id);
      const shape = schemaErrors(request);
      if (shape.length > 0) throw validationError(shape);
      const window = recoverWindow(request.body, Date.now());
      const result = await store.recoverDeliveries(request.tenant, webhook.id, { ...window, includeMissed: request.body.include_missed ?? false, nowMs: Date.now(), limit: RECOVER_LIMIT });
      if (result.status === 'not_found') throw notFound('webhook', webhook.id);
      if (result.status === 'too_many') {
        throw validationError([
          { field: 'since', message: `since: the window holds more than ${RECOVER_LIMIT} deliveries to recover (at most ${RECOVER_LIMIT} per call); choose a later since or an earlier until and recover in parts` },
        ]);
      }
      if (result.deliveries > 0) deps.onRequeued();
      return reply.code(202).send({ deliveries: result.deliveries });
    },
  );

  app.get(
    '/v1/webhooks/:id/secret',
    { config: { scope: 'manage' }, schema: { tags, operationId: 'getWebhookSecret', summary: 'Read the signing secret (jwt and signature auth)', params: IdParams, response: { 200: SecretOut, ...errorsFor('id') } } },
    async (request) => {
      const { auth } = await load(request.tenant, request.params.id);
      if (auth.type !== 'jwt' && auth.type !== 'signature') throw noSecret(request.params.id, auth.type);
      return { secret: auth.secret };
    },
  );

  app.post(
    '/v1/webhooks/:id/secret/rotate',
    { config: { scope: 'manage' }, schema: { tags, operationId: 'rotateWebhookSecret', summary: 'Rotate the secret; the old signature secret keeps signing for 24 hours', params: IdParams, response: { 200: SecretOut, ...errorsFor('id') } } },
    async (request) => {
      const webhook = await load(request.tenant, request.params.id);
      const { auth } = webhook;
      const now = Date.now();
      if (auth.type === 'signature') {
        webhook.auth = { type: 'signature', secret: generateSignatureSecret(), previousSecret: auth.secret, previousSecretExpiresAt: now + ROTATION_OVERLAP_MS };
      } else if (auth.type === 'jwt') {
        webhook.auth = { type: 'jwt', secret: generateJwtSecret() };
      } else {
        throw noSecret(webhook.id, auth.type);
      }
      webhook.updatedAt = now;
      await save(request.tenant, webhook, false);
      return { secret: webhook.auth.secret };
    },
  );

  app.post(
    '/v1/webhooks/:id/test',
    { config: { scope: 'manage' },
      // No body at all is the same as {}: the webhook's first event type.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: { tags, operationId: 'testWebhook', summary: 'Send one example event now (no retries, not counted in stats)', params: IdParams, body: TestIn, response: { 200: TestOut, ...errorsFor('id', 'body') } },
    },
    async (request) => {
      const webhook = await load(request.tenant, request.params.id);
      return sendExample(webhook, request.body.event_type ?? webhook.eventTypes[0]);
    },
  );

  app.post(
    '/v1/webhooks/test',
    { config: { scope: 'manage' },
      attachValidation: true,
      schema: { tags, operationId: 'testUnsavedWebhook', summary: 'Test an unsaved webhook (the Verify button)', body: Type.Partial(UnsavedTestIn), response: { 200: TestOut, ...errorsFor('body', 'lookup') } },
    },
    async (request) => {
      const shape = schemaErrors(request);
      const { event_type: eventType, id, ...input } = withoutInvalid<typeof request.body>(request.body, shape);
      const saved = id === undefined ? undefined : await load(request.tenant, id);
      const webhook = await checkAll(shape, async () => {
        if (!input.url && !shape.some((e) => e.field === 'url')) throw validationError([{ field: 'url', message: 'url is required' }]);
        return webhookFromInput(
          (saved?.id ?? 'wh_unsaved') as Webhook['id'],
          { name: 'unsaved', event_types: [], ...input },
          { ...context(), currentAuth: saved?.auth },
        );
      });
      return sendExample(webhook, eventType ?? webhook.eventTypes[0] ?? 'user.created');
    },
  );

  async function sendExample(webhook: Webhook, eventType: string) {
    if (!findEventType(eventType)) {
      throw validationError([{ field: 'event_type', message: `event_type "${eventType}" is not in the catalog; GET /v1/event-types lists the valid ones` }]);
    }
    return testOut(await deps.testSender.sendTest(webhook, eventType));
  }
}

/** API.md §9: at most this many deliveries per recover call. */
export const RECOVER_LIMIT = 100_000;

function recoverWindow(body: RecoverIn, nowMs: number): { since: number; until: number } {
  const problems: FieldError[] = [];
  const since = parseDate('since', body.since, false, problems);
  const until = body.until === undefined ? nowMs : parseDate('until', body.until, true, problems);
  if (since !== undefined && until !== undefined && since > until) {
    problems.push({ field: 'since', message: `since must not be after until (${new Date(until).toISOString()}); give an earlier since` });
  }
  if (problems.length > 0) throw validationError(problems);
  return { since: since!, until: until! };
}

function nameConflict(name: string): AppError {
  return new AppError('conflict', `A webhook named "${name}" already exists (names are unique, ignoring case); choose another name.`, [
    { field: 'name', message: `name "${name}" is already used by another webhook` },
  ]);
}

function noSecret(id: string, type: string): AppError {
  return new AppError('not_found', `Webhook ${id} uses auth type "${type}", which has no secret (only jwt and signature do).`);
}
