import type { Delivery, ReceivedEvent, SubscriptionRequest, UpstreamEvent } from './execution';

export interface AcrossCallersOptions {
  /** An event's result for one caller: the per-event plan with that caller's token. */
  resolve(request: SubscriptionRequest, event: UpstreamEvent): Promise<Delivery>;
  /** How long a result is kept for the other callers the same event reaches (default 10 s). */
  windowMs?: number;
  /** Results kept at most (default 10,000): the oldest events' go first. */
  maxResults?: number;
}

/** The results of one event (by its JSON), by subscription. */
interface EventResults {
  expires: number;
  bySubscription: Map<string, { owner: string; delivery: Promise<Delivery> }>;
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
 *
 * Looked up with no string made per delivery (decision 0045): an event that came in a
 * `next-to-many` frame is known by the frame's payload JSON, one string for all its subscriptions
 * (any other by its result serialised: equal JSON, equal events, either way), and the subscription
 * by a key made once per request.
 */
export function shareAcrossCallers(options: AcrossCallersOptions) {
  const windowMs = options.windowMs ?? 10_000;
  const maxResults = options.maxResults ?? 10_000;
  /** By event JSON, in arrival order. */
  const recent = new Map<string, EventResults>();
  let kept = 0;
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

  /** Drops the expired events' results, and the oldest beyond the bound. */
  const sweep = (now: number) => {
    for (const [json, results] of recent) {
      if (results.expires > now && kept <= maxResults) return;
      recent.delete(json);
      kept -= results.bySubscription.size;
    }
  };

  return async function resolve(
    request: SubscriptionRequest,
    event: ReceivedEvent,
  ): Promise<Delivery> {
    const { planned, state } = request;
    const { result } = event;
    if (!planned.sameForEveryCaller || result.errors?.length) {
      return options.resolve(request, result);
    }
    const json = event.json ?? JSON.stringify(result);
    const now = Date.now();
    sweep(now);
    let results = recent.get(json);
    if (!results) {
      results = { expires: now + windowMs, bySubscription: new Map() };
      recent.set(json, results);
    }
    const key = subscriptionKey(request);
    let entry = results.bySubscription.get(key);
    if (!entry) {
      entry = { owner: state.caller, delivery: options.resolve(request, result) };
      results.bySubscription.set(key, entry);
      kept += 1;
    }
    const delivery = await entry.delivery;
    if (delivery.failed && entry.owner !== state.caller) return options.resolve(request, result);
    return delivery;
  };
}
