// The admin UI's static files: ui/dist/index.html for the UI routes, ui/dist/assets/* as they are.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Api } from './app.ts';

const UI_PATHS = ['/', '/webhooks', '/webhooks/*', '/audit-logs', '/audit-logs/*', '/sign-in'];

export async function uiRoutes(app: Api, uiDir: string | undefined): Promise<void> {
  const hide = { schema: { hide: true } };
  if (!uiDir || !existsSync(join(uiDir, 'index.html'))) {
    const page = '<!doctype html><title>Herald</title><p>The admin UI is not built. Run <code>npm run build:ui</code> (npm start does it) and restart.</p>';
    for (const path of UI_PATHS) app.get(path, hide, async (_request, reply) => reply.type('text/html').send(page));
    return;
  }
  await app.register(fastifyStatic, { root: uiDir, index: false, wildcard: false, prefix: '/', serve: true });
  for (const path of UI_PATHS) app.get(path, hide, async (_request, reply) => reply.sendFile('index.html', { maxAge: 0 }));
}
