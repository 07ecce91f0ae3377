// The admin UI's static files. index.html answers every UI route and is never cached (it names the
// current build's assets); /assets/* are content-hashed, so browsers keep them for a year. Both are sent
// from the .br / .gz copies written at build time (ui/build/precompress.ts) when the client accepts them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Api } from './deps.ts';

const UI_PATHS = ['/', '/webhooks', '/webhooks/*', '/audit-logs', '/audit-logs/*', '/sign-in', '/tenants', '/api-keys'];
const ASSET_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

/** The CSP of UI pages: only Herald itself and the configured back offices may frame them. */
export function uiContentSecurityPolicy(frameAncestors = ''): string {
  const origins = frameAncestors.split(/\s+/).filter((o) => o.length > 0);
  return `frame-ancestors ${["'self'", ...origins].join(' ')}`;
}

export async function uiRoutes(app: Api, uiDir: string | undefined, frameAncestors?: string): Promise<void> {
  const hide = { schema: { hide: true } };
  const csp = uiContentSecurityPolicy(frameAncestors);
  if (!uiDir || !existsSync(join(uiDir, 'index.html'))) {
    const page = '<!doctype html><title>Herald</title><p>The admin UI is not built. Run <code>npm run build:ui</code> (npm start does it) and restart.</p>';
    for (const path of UI_PATHS) app.get(path, hide, async (_request, reply) => reply.header('content-security-policy', csp).type('text/html').send(page));
    return;
  }
  const assets = join(uiDir, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      wildcard: false,
      index: false,
      // Only the files themselves get routes; their compressed copies are chosen by Accept-Encoding.
      globIgnore: ['**/*.br', '**/*.gz'],
      preCompressed: true,
      maxAge: ASSET_MAX_AGE_MS,
      immutable: true,
      decorateReply: false,
    });
  }
  // sendFile only: index.html is served for the UI routes below, not as /index.html.
  await app.register(fastifyStatic, { root: uiDir, serve: false, preCompressed: true });
  for (const path of UI_PATHS) {
    app.get(path, hide, async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      reply.header('content-security-policy', csp);
      return reply.sendFile('index.html', { cacheControl: false });
    });
  }
}
