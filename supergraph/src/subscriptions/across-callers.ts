import type { Delivery, SubscriptionRequest, UpstreamEvent } from './execution';

export interface AcrossCallersOptions {
  /** An event's result for one caller: the per-event plan with that caller's token. */
  resolve(request: SubscriptionRequest, event: UpstreamEvent): Promise<Delivery>;
  /** How long a result is kept for the other callers the same event reaches (default 10 s). */
  windowMs?: number;
  /** Results kept at most (default 10,000): the oldest go first. */
  maxResults?: number;
}

/**
 * Shares an event's result between callers when nothing in it can depend on the caller: the same
 * subscription (graph, subgraph, operation, variables), the same event byte for byte as each
 * caller's own upstream subscription delivered it (the subgraph authorised each of them), signed
 * in or not alike, and a per-event plan that fetches only fields their subgraphs declare
 * `@sameForEveryCaller` (`planned.sameForEveryCaller`). A message to a conversation reaches every
 * participant's upstream subscription as the same event: its entity fetches then run once, and its
 * result is serialised once, for all of them. A result with errors is kept for its own caller
 * only (an entity fetch may have refused that caller's token): other callers resolve their own.
 * Why this and no more is shared: docs/decisions/0031-subscription-events-shared-across-callers.md.
 */
export function shareAcrossCallers(options: AcrossCallersOptions) {
  const windowMs = options.windowMs ?? 10_000;
  const maxResults = options.maxResults ?? 10_000;
  const recent = new Map<string, { owner: string; delivery: Promise<Delivery>; expires: number }>();
  // The subscription's part of the key, once per request rather than once per event.
  const subscriptionKeys = new WeakMap<SubscriptionRequest, string>();
  const subscriptionKey = (request: SubscriptionRequest) => {
    let key = subscriptionKeys.get(request);
    if (key === undefined) {
      key = JSON.stringify([
        request.planned.graph.id,
        request.state.caller !== '',
        request.planned.primary.serviceName,
        request.operationName ?? null,
        request.query,
        request.variables,
      ]);
      subscriptionKeys.set(request, key);
    }
    return key;
  };

  /** Drops the expired results and the oldest beyond the bound (the map is in arrival order). */
  const sweep = (now: number) => {
    for (const [key, entry] of recent) {
      if (entry.expires > now && recent.size <= maxResults) return;
      recent.delete(key);
    }
  };

  return async function resolve(
    request: SubscriptionRequest,
    event: UpstreamEvent,
  ): Promise<Delivery> {
    const { planned, state } = request;
    if (!planned.sameForEveryCaller || event.errors?.length) return options.resolve(request, event);
    // JSON has no raw line break: the two parts cannot run into each other.
    const key = `${subscriptionKey(request)}\n${JSON.stringify(event.data)}`;
    const now = Date.now();
    sweep(now);
    let entry = recent.get(key);
    if (!entry) {
      entry = {
        owner: state.caller,
        delivery: options.resolve(request, event),
        expires: now + windowMs,
      };
      recent.set(key, entry);
    }
    const delivery = await entry.delivery;
    if (delivery.failed && entry.owner !== state.caller) return options.resolve(request, event);
    return delivery;
  };
}
