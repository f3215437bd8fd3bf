import { shareAcrossCallers } from '../src/subscriptions/across-callers';
import type { Delivery, ReceivedEvent, SubscriptionRequest } from '../src/subscriptions/execution';
import type { PlannedSubscription } from '../src/subscriptions/planner';

// When an event's result may serve several callers (decision 0031), on its own: requests are
// made by hand with only what the sharing reads, and each resolution is recorded.

function setup(
  answer: (caller: string) => Delivery = () => ({ payload: '{}', failed: false }),
  bounds: { windowMs?: number; maxResults?: number } = {},
) {
  const resolvedFor: string[] = [];
  const resolve = shareAcrossCallers({
    resolve: async (request) => {
      resolvedFor.push(request.state.caller);
      return answer(request.state.caller);
    },
    ...bounds,
  });
  return { resolve, resolvedFor };
}

const planned = (sameForEveryCaller: boolean) =>
  ({
    graph: { id: 'graph' },
    primary: { serviceName: 'messaging' },
    sameForEveryCaller,
  }) as unknown as PlannedSubscription;

const request = (caller: string, sameForEveryCaller = true, variables = { id: 'c1' }) =>
  ({
    state: { caller },
    planned: planned(sameForEveryCaller),
    query: 'subscription { messageAdded }',
    operationName: undefined,
    variables,
  }) as unknown as SubscriptionRequest;

/** An event as its own `next` brings it (no JSON kept), or as a `next-to-many` frame's, `json`. */
const event = (body: string, json?: string): ReceivedEvent => ({
  result: { data: { messageAdded: { body } } },
  json,
});

describe('event results shared across callers', () => {
  it('when two callers get the same event of a subscription declared the same for everyone, then it is resolved once for both', async () => {
    const { resolve, resolvedFor } = setup();
    const [mine, theirs] = await Promise.all([
      resolve(request('ann'), event('hi')),
      resolve(request('bob'), event('hi')),
    ]);
    expect(theirs).toBe(mine);
    expect(resolvedFor).toEqual(['ann']);
  });

  it('when the events, the variables or signed-in-ness differ, or the plan fetches a field not declared, then each is resolved on its own', async () => {
    const { resolve, resolvedFor } = setup();
    await resolve(request('ann'), event('one'));
    await resolve(request('bob'), event('two'));
    await resolve(request('cyd', true, { id: 'c2' }), event('one'));
    await resolve(request(''), event('one'));
    await resolve(request('dan', false), event('one'));
    await resolve(request('eve', false), event('one'));
    expect(resolvedFor).toEqual(['ann', 'bob', 'cyd', '', 'dan', 'eve']);
  });

  it('when the first caller’s result has errors, then it is not shared: another caller resolves their own', async () => {
    const { resolve, resolvedFor } = setup((caller) =>
      caller === 'ann'
        ? { payload: '{"errors":[]}', failed: true }
        : { payload: '{}', failed: false },
    );
    await resolve(request('ann'), event('hi'));
    expect(await resolve(request('bob'), event('hi'))).toEqual({ payload: '{}', failed: false });
    expect(resolvedFor).toEqual(['ann', 'bob']);
  });

  it('when the upstream event carries errors, then it is never shared', async () => {
    const { resolve, resolvedFor } = setup();
    const failed: ReceivedEvent = {
      result: { data: null, errors: [{ message: 'no' }] },
      json: '{"data":null,"errors":[{"message":"no"}]}',
    };
    await resolve(request('ann'), failed);
    await resolve(request('bob'), failed);
    expect(resolvedFor).toEqual(['ann', 'bob']);
  });

  it('when callers’ events came in one next-to-many frame, then they are known by its payload’s JSON and resolved once for all', async () => {
    const { resolve, resolvedFor } = setup();
    const frameJson = '{"data":{"messageAdded":{"body":"hi","__resumeCursor":"m1"}}}';
    const [mine, theirs] = await Promise.all([
      resolve(request('ann'), event('hi', frameJson)),
      resolve(request('bob'), event('hi', frameJson)),
    ]);
    expect(theirs).toBe(mine);
    await resolve(request('cyd'), event('hi', frameJson.replace('m1', 'm2')));
    expect(resolvedFor).toEqual(['ann', 'cyd']);
  });

  it('when results outnumber the bound, then the oldest events’ go first; past the window, none is kept', async () => {
    const bounded = setup(undefined, { maxResults: 2 });
    for (const body of ['one', 'two', 'three']) await bounded.resolve(request('ann'), event(body));
    await bounded.resolve(request('bob'), event('three'));
    await bounded.resolve(request('bob'), event('one'));
    expect(bounded.resolvedFor).toEqual(['ann', 'ann', 'ann', 'bob']);

    const windowless = setup(undefined, { windowMs: 0 });
    await windowless.resolve(request('ann'), event('hi'));
    await windowless.resolve(request('bob'), event('hi'));
    expect(windowless.resolvedFor).toEqual(['ann', 'bob']);
  });
});
