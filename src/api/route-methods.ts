// Which methods a path has routes for, so that a wrong method gets `405` with `Allow` instead of
// a `404` that suggests the path does not exist.

interface RoutePattern {
  pattern: RegExp;
  methods: Set<string>;
}

function toPattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.includes(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
}

export class RouteMethods {
  readonly #routes = new Map<string, RoutePattern>();

  add(method: string | string[], url: string): void {
    const route = this.#routes.get(url) ?? { pattern: toPattern(url), methods: new Set<string>() };
    for (const m of Array.isArray(method) ? method : [method]) route.methods.add(m.toUpperCase());
    this.#routes.set(url, route);
  }

  /** Every method some route serves at `path` (without its query), sorted; [] for an unknown path. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.#routes.values()) {
      if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    }
    return [...methods].sort();
  }
}
