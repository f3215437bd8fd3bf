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
  return { sharing, upstreams, resolved, fannedOut, subscribers: () => subscriberCount };
}

describe('subscriptions sharing an upstream', () => {
  it('when an upstream event is resolved for its subscribers, then its fan-out is reported once with their number', async () => {
    const { sharing, upstreams, fannedOut } = setup();
    const first = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const second = sharing.subscribe({ token: 'ann', topic: 'chat' });

    upstreams[0]!.sink.next(1);
    await first.next();
    await second.next();

    expect(fannedOut).toEqual([{ seconds: expect.any(Number), subscribers: 2 }]);
    expect(fannedOut[0]!.seconds).toBeGreaterThanOrEqual(0);
  });

  it('when two subscribers make the same subscription with the same token, then they share one upstream and one resolution per event; a third with another token gets its own', async () => {
    const { sharing, upstreams, resolved, subscribers } = setup();
    const first = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const second = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const other = sharing.subscribe({ token: 'bob', topic: 'chat' });

    expect(upstreams.map(({ request }) => request.token)).toEqual(['ann', 'bob']);
    expect(sharing.upstreams()).toBe(2);
    expect(subscribers()).toBe(3);

    upstreams[0]!.sink.next(1);
    expect(await first.next()).toEqual({ done: false, value: 'chat #1 for ann' });
    expect(await second.next()).toEqual({ done: false, value: 'chat #1 for ann' });
    expect(resolved).toEqual([{ token: 'ann', event: 1 }]);

    upstreams[1]!.sink.next(7);
    expect(await other.next()).toEqual({ done: false, value: 'chat #7 for bob' });
    expect(resolved).toEqual([
      { token: 'ann', event: 1 },
      { token: 'bob', event: 7 },
    ]);
  });

  it('when one of two sharing subscribers unsubscribes, then the other keeps receiving; when the last one does, the upstream is stopped and released', async () => {
    const { sharing, upstreams, subscribers } = setup();
    const leaving = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const staying = sharing.subscribe({ token: 'ann', topic: 'chat' });

    await leaving.return!();
    expect(upstreams[0]).toMatchObject({ stopped: false, released: false });
    expect(subscribers()).toBe(1);
    upstreams[0]!.sink.next(2);
    expect(await staying.next()).toEqual({ done: false, value: 'chat #2 for ann' });
    expect(await leaving.next()).toEqual({ done: true, value: undefined });

    await staying.return!();
    expect(upstreams[0]).toMatchObject({ stopped: true, released: true });
    expect(sharing.upstreams()).toBe(0);
    expect(subscribers()).toBe(0);

    // The next one opens a fresh upstream.
    sharing.subscribe({ token: 'ann', topic: 'chat' });
    expect(upstreams).toHaveLength(2);
  });

  it('when the upstream fails, then every subscriber sharing it ends with the error, the upstream is released, and a new subscription opens a fresh one', async () => {
    const { sharing, upstreams, subscribers } = setup();
    const first = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const second = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const failure = new Error('subgraph gone');

    upstreams[0]!.sink.error(failure);
    await expect(first.next()).rejects.toBe(failure);
    await expect(second.next()).rejects.toBe(failure);
    expect(upstreams[0]).toMatchObject({ stopped: false, released: true });
    expect(sharing.upstreams()).toBe(0);
    expect(subscribers()).toBe(0);

    sharing.subscribe({ token: 'ann', topic: 'chat' });
    expect(upstreams).toHaveLength(2);
    expect(sharing.upstreams()).toBe(1);
  });

  it('when the upstream completes, then every subscriber sharing it completes and the upstream is released', async () => {
    const { sharing, upstreams } = setup();
    const first = sharing.subscribe({ token: 'ann', topic: 'chat' });
    const second = sharing.subscribe({ token: 'ann', topic: 'chat' });

    upstreams[0]!.sink.complete();
    expect(await first.next()).toEqual({ done: true, value: undefined });
    expect(await second.next()).toEqual({ done: true, value: undefined });
    expect(upstreams[0]).toMatchObject({ stopped: false, released: true });
    expect(sharing.upstreams()).toBe(0);
  });
});
