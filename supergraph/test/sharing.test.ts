import { createSharing, type UpstreamSink } from '../src/subscriptions/sharing';

// The sharing of upstream subscriptions on its own, without a WebSocket: the upstream is a fake
// that records what was opened, stopped and released, and pushes events when the test says so.

interface Request {
  token: string;
  topic: string;
}

interface FakeUpstream {
  request: Request;
  sink: UpstreamSink<number>;
  stopped: boolean;
  released: boolean;
}

function setup() {
  const upstreams: FakeUpstream[] = [];
  const resolved: { token: string; event: number }[] = [];
  const fannedOut: { seconds: number; subscribers: number }[] = [];
  let subscriberCount = 0;
  const sharing = createSharing<Request, number, string>({
    key: (request) => JSON.stringify([request.token, request.topic]),
    open(request, sink) {
      const upstream: FakeUpstream = { request, sink, stopped: false, released: false };
      upstreams.push(upstream);
      return {
        stop: () => (upstream.stopped = true),
        release: () => (upstream.released = true),
      };
    },
    resolve: async (request, event) => {
      resolved.push({ token: request.token, event });
      return `${request.topic} #${event} for ${request.token}`;
    },
    onSubscriberCount: (count) => (subscriberCount = count),
    onFannedOut: (seconds, subscribers) => fannedOut.push({ seconds, subscribers }),
  });
  /** A subscription, with what it was delivered so far. */
  const subscribe = (request: Request) => {
    const delivered: string[] = [];
    const iterator = sharing.subscribe(request, (result) => delivered.push(result));
    return { iterator, delivered };
  };
  return { sharing, subscribe, upstreams, resolved, fannedOut, subscribers: () => subscriberCount };
}

/** Until the hand-outs under way are done (resolutions are promises). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('subscriptions sharing an upstream', () => {
  it('when an upstream event is resolved for its subscribers, then its fan-out is reported once with their number', async () => {
    const { subscribe, upstreams, fannedOut } = setup();
    subscribe({ token: 'ann', topic: 'chat' });
    subscribe({ token: 'ann', topic: 'chat' });

    upstreams[0]!.sink.next(1);
    await settle();

    expect(fannedOut).toEqual([{ seconds: expect.any(Number), subscribers: 2 }]);
    expect(fannedOut[0]!.seconds).toBeGreaterThanOrEqual(0);
  });

  it('when two subscribers make the same subscription with the same token, then they share one upstream and one resolution per event; a third with another token gets its own', async () => {
    const { sharing, subscribe, upstreams, resolved, subscribers } = setup();
    const first = subscribe({ token: 'ann', topic: 'chat' });
    const second = subscribe({ token: 'ann', topic: 'chat' });
    const other = subscribe({ token: 'bob', topic: 'chat' });

    expect(upstreams.map(({ request }) => request.token)).toEqual(['ann', 'bob']);
    expect(sharing.upstreams()).toBe(2);
    expect(subscribers()).toBe(3);

    upstreams[0]!.sink.next(1);
    await settle();
    expect(first.delivered).toEqual(['chat #1 for ann']);
    expect(second.delivered).toEqual(['chat #1 for ann']);
    expect(other.delivered).toEqual([]);
    expect(resolved).toEqual([{ token: 'ann', event: 1 }]);

    upstreams[1]!.sink.next(7);
    await settle();
    expect(other.delivered).toEqual(['chat #7 for bob']);
    expect(resolved).toEqual([
      { token: 'ann', event: 1 },
      { token: 'bob', event: 7 },
    ]);
  });

  it('when one of two sharing subscribers unsubscribes, then the other keeps receiving; when the last one does, the upstream is stopped and released', async () => {
    const { sharing, subscribe, upstreams, subscribers } = setup();
    const leaving = subscribe({ token: 'ann', topic: 'chat' });
    const staying = subscribe({ token: 'ann', topic: 'chat' });

    await leaving.iterator.return!();
    expect(upstreams[0]).toMatchObject({ stopped: false, released: false });
    expect(subscribers()).toBe(1);
    upstreams[0]!.sink.next(2);
    await settle();
    expect(staying.delivered).toEqual(['chat #2 for ann']);
    expect(leaving.delivered).toEqual([]);
    expect(await leaving.iterator.next()).toEqual({ done: true, value: undefined });

    await staying.iterator.return!();
    expect(upstreams[0]).toMatchObject({ stopped: true, released: true });
    expect(sharing.upstreams()).toBe(0);
    expect(subscribers()).toBe(0);

    // The next one opens a fresh upstream.
    subscribe({ token: 'ann', topic: 'chat' });
    expect(upstreams).toHaveLength(2);
  });

  it('when the upstream fails, then every subscriber sharing it ends with the error, the upstream is released, and a new subscription opens a fresh one', async () => {
    const { sharing, subscribe, upstreams, subscribers } = setup();
    const first = subscribe({ token: 'ann', topic: 'chat' });
    const second = subscribe({ token: 'ann', topic: 'chat' });
    const failure = new Error('subgraph gone');

    upstreams[0]!.sink.next(3);
    upstreams[0]!.sink.error(failure);
    await expect(first.iterator.next()).rejects.toBe(failure);
    await expect(second.iterator.next()).rejects.toBe(failure);
    // The event before the failure was handed out first.
    expect(first.delivered).toEqual(['chat #3 for ann']);
    expect(upstreams[0]).toMatchObject({ stopped: false, released: true });
    expect(sharing.upstreams()).toBe(0);
    expect(subscribers()).toBe(0);

    subscribe({ token: 'ann', topic: 'chat' });
    expect(upstreams).toHaveLength(2);
    expect(sharing.upstreams()).toBe(1);
  });

  it('when the upstream completes, then every subscriber sharing it completes and the upstream is released', async () => {
    const { sharing, subscribe, upstreams } = setup();
    const first = subscribe({ token: 'ann', topic: 'chat' });
    const second = subscribe({ token: 'ann', topic: 'chat' });

    upstreams[0]!.sink.complete();
    expect(await first.iterator.next()).toEqual({ done: true, value: undefined });
    expect(await second.iterator.next()).toEqual({ done: true, value: undefined });
    expect(upstreams[0]).toMatchObject({ stopped: false, released: true });
    expect(sharing.upstreams()).toBe(0);
  });

  it('when a later event resolves before an earlier one, then its subscribers still get them in the order they came', async () => {
    const slow = new Map<number, () => void>();
    let sink: UpstreamSink<number> | undefined;
    const ordered = createSharing<Request, number, number>({
      key: () => 'one',
      open(_request, given) {
        sink = given;
        return { stop() {}, release() {} };
      },
      resolve: (_request, event) => new Promise((resolve) => slow.set(event, () => resolve(event))),
    });
    const delivered: number[] = [];
    ordered.subscribe({ token: 'ann', topic: 'chat' }, (event) => delivered.push(event));

    sink!.next(1);
    sink!.next(2);
    slow.get(2)!();
    await settle();
    expect(delivered).toEqual([]);
    slow.get(1)!();
    await settle();
    expect(delivered).toEqual([1, 2]);
  });
});
