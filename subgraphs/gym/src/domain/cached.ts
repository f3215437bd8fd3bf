import type { Cache } from '@fitnexa/shared/cache';

/**
 * Values for many ids at once: those cached come from the cache, the rest are loaded with one
 * `load` call and cached for next time. Missing values (null) are not cached, so an id that
 * appears later is found then. A cache outage makes every id a miss.
 */
export async function readThroughMany<Value>(
  cache: Cache,
  ids: readonly string[],
  options: {
    keyOf: (id: string) => string;
    ttlSeconds: number;
    load: (ids: string[]) => Promise<(Value | null)[]>;
  },
): Promise<(Value | null)[]> {
  const unique = [...new Set(ids)];
  const cached = await Promise.all(unique.map((id) => cache.get<Value>(options.keyOf(id))));
  const values = new Map<string, Value | null>();
  const missing: string[] = [];
  unique.forEach((id, index) => {
    const value = cached[index];
    if (value === undefined) missing.push(id);
    else values.set(id, value);
  });
  if (missing.length) {
    const loaded = await options.load(missing);
    await Promise.all(
      missing.map(async (id, index) => {
        const value = loaded[index] ?? null;
        values.set(id, value);
        if (value !== null) await cache.set(options.keyOf(id), value, options.ttlSeconds);
      }),
    );
  }
  return ids.map((id) => values.get(id) ?? null);
}
