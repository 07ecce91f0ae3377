// /v1/event-types: the catalog, for receivers' developers and the UI's pickers.
import { CATALOG, FEEDS } from '../../catalog/index.ts';
import type { Api } from '../deps.ts';
import { errorsFor } from '../openapi.ts';
import { EventTypesOut } from '../schemas.ts';

export function eventTypeRoutes(app: Api): void {
  const body = {
    data: CATALOG.map((t) => ({ ...t, example: { ...t.example } as Record<string, unknown> })),
    feeds: FEEDS.map((f) => ({ ...f, event_types: [...f.event_types] })) };
  app.get(
    '/v1/event-types',
    { config: { scope: 'read' }, schema: { tags: ['Event types'], operationId: 'listEventTypes', summary: 'The event catalog: every type with its data schema and an example', response: { 200: EventTypesOut, ...errorsFor() } } },
    async () => body,
  );
}
