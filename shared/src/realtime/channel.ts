/**
 * An async iterator fed from outside: items are pushed as promises and handed out in the order
 * pushed (the gateway starts each event's entity fetches at once, yet its client sees events in
 * order). `return()` ends a pending `next()` at once and calls `onReturn` (which ends the
 * subscription feeding it), so a consumer that stops lets go without waiting for one more item.
 */
export function channel<T>(onReturn: () => void) {
  const queue: Promise<T>[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let returned = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (returned) return { done: true, value: undefined };
        const item = queue.shift();
        if (item) return { done: false, value: await item };
        if (failure) {
          const { error } = failure;
          failure = undefined;
          returned = true;
          throw error;
        }
        if (ended) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      if (!returned) {
        returned = true;
        queue.length = 0;
        onReturn();
        signal();
      }
      return { done: true, value: undefined };
    },
    async throw(error?: unknown): Promise<IteratorResult<T>> {
      await iterator.return!();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };

  return {
    iterator,
    push(item: Promise<T>) {
      if (returned || ended) return;
      queue.push(item);
      signal();
    },
    /** No more items: the iterator ends after the queued ones, with `error` when given. */
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      if (error !== undefined) failure = { error };
      signal();
    },
  };
}
