import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SupergraphManager } from '@apollo/gateway';
import { errorMessage } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import type { Metrics } from '@fitnexa/shared/middleware';
import { Counter } from 'prom-client';

/** Where the gateway reads its supergraph again, and how often. */
export interface SupergraphUpdates {
  /** The supergraph as it is now (the file, or the URL's answer). */
  read(): Promise<string>;
  intervalMs: number;
}

/**
 * The file at `path`, read through whatever it links to now: a Kubernetes ConfigMap mounted as a
 * directory swaps its `..data` symlink atomically, which an inotify watch on the file misses and
 * a read sees.
 */
export function supergraphFile(path: string): SupergraphUpdates['read'] {
  return () => readFile(path, 'utf8');
}

/** The supergraph a URL serves (a registry, an object store), a non-2xx answer being a failure. */
export function supergraphUrl(url: string): SupergraphUpdates['read'] {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${url} answered ${response.status}`);
    }
    return response.text();
  };
}

const hashOf = (sdl: string) => createHash('sha256').update(sdl).digest('hex');

/**
 * Apollo Gateway's own route to a supergraph that changes: a `SupergraphManager` whose `update`
 * the gateway validates (parse, federation, the checks `check` adds) before it swaps its schema and
 * query planner; operations already running keep the graph they started on. A supergraph that
 * fails is refused: the gateway keeps serving the one it has; the refusal is logged and counted
 * (`gateway_supergraph_updates_total{result="refused"}`), once per distinct content.
 */
export function polledSupergraph(options: {
  initialSdl: string;
  updates?: SupergraphUpdates;
  /** Throws when the gateway cannot serve this supergraph (a subgraph without a routing URL). */
  check(sdl: string): void;
  logger: Logger;
  metrics: Metrics;
}): SupergraphManager {
  const { logger } = options;
  const updatesCounter = new Counter({
    name: 'gateway_supergraph_updates_total',
    help: 'Supergraph changes seen by the gateway: applied, or refused (the old one kept)',
    labelNames: ['result'] as const,
    registers: [options.metrics.registry],
  });
  return {
    async initialize({ update }) {
      let lastSeen = hashOf(options.initialSdl);
      const updates = options.updates;
      if (!updates) return { supergraphSdl: options.initialSdl };
      let polling = false;
      const poll = async () => {
        if (polling) return;
        polling = true;
        try {
          const sdl = await updates.read();
          const hash = hashOf(sdl);
          if (hash === lastSeen) return;
          lastSeen = hash;
          try {
            options.check(sdl);
            update(sdl);
            updatesCounter.inc({ result: 'applied' });
            logger.info('supergraph updated', { sha256: hash });
          } catch (error) {
            updatesCounter.inc({ result: 'refused' });
            logger.error('supergraph update refused; serving the previous one', {
              sha256: hash,
              error: errorMessage(error),
            });
          }
        } catch (error) {
          // Unreadable for now (a file mid-swap, a URL down): the next poll tries again.
          logger.warn('supergraph could not be read', { error: errorMessage(error) });
        } finally {
          polling = false;
        }
      };
      const timer = setInterval(() => void poll(), updates.intervalMs);
      timer.unref();
      return {
        supergraphSdl: options.initialSdl,
        cleanup: async () => clearInterval(timer),
      };
    },
  };
}
