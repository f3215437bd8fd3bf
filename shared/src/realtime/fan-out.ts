import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { channel } from './channel';
import { nextFrame, nextToManyFrame } from './fan-out-protocol';

/**
 * The `next` frames of one connection shared by the gateway's callers, written once per turn of
 * the event loop: the subscriptions that got the same payload get one `next-to-many` frame (a
 * shared result is one string), a payload of one subscription its own `next`. Events reach every
 * subscription of a room in the same turn (the hub hands each event to all its listeners at once),
 * so one turn is what it takes to gather them, at no cost in latency.
 */
export function createOutbox(send: (frame: string) => void) {
  interface Group {
    payload: string;
    ids: string[];
    place: number;
  }
  let groups: Group[] = [];
  let byPayload = new Map<string, Group>();
  let lastPlace = new Map<string, number>();
  let scheduled: NodeJS.Immediate | undefined;

  /** Writes every frame gathered so far, in order. */
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const ready = groups;
    groups = [];
    byPayload = new Map();
    lastPlace = new Map();
    for (const { payload, ids } of ready) {
      send(ids.length === 1 ? nextFrame(ids[0]!, payload) : nextToManyFrame(ids, payload));
    }
  };

  return {
    /** Subscription `id`'s next result, as the JSON of its `next` payload. */
    add(id: string, payload: string) {
      let group = byPayload.get(payload);
      // A group placed before this subscription's previous frame would reorder its events.
      if (!group || group.place < (lastPlace.get(id) ?? -1)) {
        group = { payload, ids: [], place: groups.length };
        groups.push(group);
        byPayload.set(payload, group);
      }
      group.ids.push(id);
      lastPlace.set(id, group.place);
      scheduled ??= setImmediate(flush);
    },
    flush,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

/** A subscription of a shared connection, running: what graphql-ws iterates, and how to end it. */
export interface FannedOutSubscription {
  /** Yields nothing (its results go to the outbox); ends with the subscription, or throws its error. */
  iterator: AsyncIterableIterator<never>;
  /** Ends it with `error` (its caller's token was revoked). */
  cancel(error: Error): void;
}

export interface FanOutSubscribeOptions {
  id: string;
  outbox: Outbox;
  /**
   * Subscriptions with the same key share each event's result: the operation selects only fields
   * declared the same for every caller, and key holds it, its variables and whether signed in.
   * Undefined: its results are its own.
   */
  shareKey: string | undefined;
  /** Called once when it ended, whichever way. */
  onEnd(): void;
}

const isAsyncIterable = (value: object): value is AsyncIterable<unknown> =>
  Symbol.asyncIterator in value;

/**
 * Subscriptions on connections shared by the gateway's callers (decision 0043): each is
 * subscribed as graphql's `subscribe` would (its field's `subscribe` runs with its own caller's
 * context: who may listen stays decided per caller), and each event is executed once for every
 * subscription of the same share key it reached, serialised once, and written as one frame per
 * connection.
 */
export function createFanOut(options: {
  /** A result as the `payload` JSON of its `next`, errors formatted as the server's. */
  serialise(result: ExecutionResult): string;
}) {
  // By event (the hub hands every listener the same object), then share key.
  const shared = new WeakMap<object, Map<string, Promise<string>>>();
  const run = async (args: ExecutionArgs, event: unknown) =>
    options.serialise(await execute({ ...args, rootValue: event }));

  function resultOf(args: ExecutionArgs, event: unknown, shareKey: string | undefined) {
    if (shareKey === undefined || typeof event !== 'object' || event === null) {
      return run(args, event);
    }
    let results = shared.get(event);
    if (!results) {
      results = new Map();
      shared.set(event, results);
    }
    let result = results.get(shareKey);
    if (!result) {
      result = run(args, event);
      results.set(shareKey, result);
    }
    return result;
  }

  return {
    /**
     * Subscribes: the refusal (an execution result with errors) as graphql's `subscribe` returns
     * it, or the running subscription.
     */
    async subscribe(
      args: ExecutionArgs,
      subscription: FanOutSubscribeOptions,
    ): Promise<ExecutionResult | FannedOutSubscription> {
      const { id, outbox, shareKey } = subscription;
      const source = await createSourceEventStream(args);
      if (!isAsyncIterable(source)) {
        subscription.onEnd();
        return source;
      }
      const events = source[Symbol.asyncIterator]();
      let stopped = false;
      let ended = false;
      const stop = () => {
        stopped = true;
        // Nothing to do about a source that fails to end: it has no more listener either way.
        events.return?.().catch(() => {});
      };
      const live = channel<never>(stop);
      const end = (error?: unknown) => {
        if (ended) return;
        ended = true;
        // Its results go out before its end (graphql-ws's `complete` or `error` follows).
        outbox.flush();
        live.end(error);
        subscription.onEnd();
      };
      const pump = async () => {
        for (;;) {
          const next = await events.next();
          if (next.done || stopped) return;
          const payload = await resultOf(args, next.value, shareKey);
          if (stopped) return;
          outbox.add(id, payload);
        }
      };
      pump().then(
        () => end(),
        (error: unknown) => end(error),
      );
      return {
        iterator: live.iterator,
        cancel(error) {
          stop();
          end(error);
        },
      };
    },
  };
}
