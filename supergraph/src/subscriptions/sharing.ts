import { channel } from '@fitnexa/shared/realtime';

/** What a shared upstream subscription tells the sharing: its events and its end. */
export interface UpstreamSink<TEvent> {
  next(event: TEvent): void;
  /** The upstream ended in error: every subscriber ends with `error`. */
  error(error: unknown): void;
  complete(): void;
}

/** A running upstream subscription, as `open` returns it. */
export interface UpstreamHandle {
  /** Ends the upstream subscription (its last subscriber left). */
  stop(): void;
  /** Lets go of what it holds (its connection): after `stop`, or once it ended by itself. */
  release(): void;
}

export interface SharingOptions<TRequest, TEvent, TResult> {
  /** Requests with the same key share one upstream subscription and one run per event. */
  key(request: TRequest): string;
  /** Opens the upstream subscription for the first subscriber of a key. */
  open(request: TRequest, sink: UpstreamSink<TEvent>): UpstreamHandle;
  /** One event into what every subscriber receives; run once per event, whatever their number. */
  resolve(request: TRequest, event: TEvent): Promise<TResult>;
  /** Called with the number of subscribers whenever it changes (the metrics gauge). */
  onSubscriberCount?(count: number): void;
  /**
   * Called per upstream event once its result was handed to every subscriber, with the seconds
   * since the event arrived and how many subscribers got it (the fan-out histogram).
   */
  onFannedOut?(seconds: number, subscribers: number): void;
}

/** A subscriber: handed each event's result, ended with the upstream. */
interface Subscriber<TResult> {
  deliver(result: TResult): void;
  end(error?: unknown): void;
}

interface Shared<TResult> {
  subscribers: Set<Subscriber<TResult>>;
  stop(): void;
}

/**
 * Subscriptions sharing an upstream: every subscription with the same key (at the gateway: token,
 * subgraph, operation and variables) is fed by one upstream subscription, and each event is
 * resolved once and the same result handed to all of them, in the order the events came (each
 * event's resolution starts at once; the hand-out waits for the ones before). A subscriber gets
 * the events that arrive while it is subscribed; one that leaves (returns its iterator) leaves the
 * others be; the upstream subscription is stopped with the last one, and when it ends by itself
 * every subscriber ends with it (the next subscription opens a fresh one). Knows nothing of
 * WebSockets: `open` is where the upstream is, `deliver` where a result goes.
 */
export function createSharing<TRequest, TEvent, TResult>(
  options: SharingOptions<TRequest, TEvent, TResult>,
) {
  const shared = new Map<string, Shared<TResult>>();
  let subscriberCount = 0;
  const countSubscribers = (delta: number) => {
    subscriberCount += delta;
    options.onSubscriberCount?.(subscriberCount);
  };

  /** The upstream subscription for `key`, opened for its first subscriber. */
  function openShared(key: string, request: TRequest): Shared<TResult> {
    const subscribers = new Set<Subscriber<TResult>>();
    let ended = false;
    /** The upstream subscription is over: nobody joins it any more. */
    const finish = () => {
      if (ended) return false;
      ended = true;
      if (shared.get(key) === entry) shared.delete(key);
      return true;
    };
    const endAll = (error?: unknown) => {
      const all = [...subscribers];
      subscribers.clear();
      for (const subscriber of all) subscriber.end(error);
    };
    // Nothing to stop or release until `open` returned.
    let upstream: UpstreamHandle = { stop() {}, release() {} };
    // Where the last event's hand-out is: each one waits for the one before.
    let handedOut = Promise.resolve();
    const entry: Shared<TResult> = {
      subscribers,
      stop() {
        if (!finish()) return;
        upstream.stop();
        upstream.release();
      },
    };
    // In the map before the upstream opens: a subscription made meanwhile joins this one.
    shared.set(key, entry);
    upstream = options.open(request, {
      next: (event) => {
        if (!subscribers.size) return;
        const received = performance.now();
        // Resolved once, for every subscriber: they share the key (caller, operation, variables).
        const result = options.resolve(request, event);
        // Those subscribed when it arrived; one that leaves before its hand-out is skipped.
        const recipients = [...subscribers];
        handedOut = handedOut
          .then(() => result)
          .then(
            (value) => {
              let count = 0;
              for (const subscriber of recipients) {
                if (!subscribers.has(subscriber)) continue;
                try {
                  subscriber.deliver(value);
                  count += 1;
                } catch (error) {
                  // Its own failure (its socket): it ends, the others go on.
                  subscribers.delete(subscriber);
                  subscriber.end(error);
                }
              }
              if (!subscribers.size) entry.stop();
              options.onFannedOut?.((performance.now() - received) / 1000, count);
            },
            // `resolve` answers failures with a result; a rejection is a bug, which ends them all.
            (error: unknown) => {
              entry.stop();
              endAll(error);
            },
          );
      },
      // Its subscribers end after the events that came before the end were handed out.
      error: (error) => {
        if (!finish()) return;
        upstream.release();
        handedOut = handedOut.then(() => endAll(error));
      },
      complete: () => {
        if (!finish()) return;
        upstream.release();
        handedOut = handedOut.then(() => endAll());
      },
    });
    // Ended while it opened (the sink was called at once): its release came before the handle.
    if (ended) upstream.release();
    return entry;
  }

  return {
    /**
     * A subscription for `request`: joins the upstream of its key, or opens one. Its results go
     * to `deliver`; the iterator yields nothing and ends with the subscription (done, or throwing
     * the upstream's error), and returning it unsubscribes.
     */
    subscribe(request: TRequest, deliver: (result: TResult) => void): AsyncIterableIterator<never> {
      const key = options.key(request);
      const entry = shared.get(key) ?? openShared(key, request);
      countSubscribers(1);
      let counted = true;
      const uncount = () => {
        if (counted) countSubscribers(-1);
        counted = false;
      };
      const live = channel<never>(() => {
        uncount();
        entry.subscribers.delete(subscriber);
        if (!entry.subscribers.size) entry.stop();
      });
      const subscriber: Subscriber<TResult> = {
        deliver,
        end(error) {
          uncount();
          live.end(error);
        },
      };
      entry.subscribers.add(subscriber);
      return live.iterator;
    },
    /** Subscriptions running. */
    subscribers: () => subscriberCount,
    /** Upstream subscriptions running (subscriptions of one key share one). */
    upstreams: () => shared.size,
  };
}
