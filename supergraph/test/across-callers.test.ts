import { shareAcrossCallers } from '../src/subscriptions/across-callers';
import type { Delivery, SubscriptionRequest, UpstreamEvent } from '../src/subscriptions/execution';
import type { PlannedSubscription } from '../src/subscriptions/planner';

// When an event's result may serve several callers (decision 0031), on its own: requests are
// made by hand with only what the sharing reads, and each resolution is recorded.

function setup(answer: (caller: string) => Delivery = () => ({ payload: '{}', failed: false })) {
  const resolvedFor: string[] = [];
  const resolve = shareAcrossCallers({
    resolve: async (request) => {
      resolvedFor.push(request.state.caller);
      return answer(request.state.caller);
    },
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

const event = (body: string): UpstreamEvent => ({ data: { messageAdded: { body } } });

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
    const failed: UpstreamEvent = { data: null, errors: [{ message: 'no' }] };
    await resolve(request('ann'), failed);
    await resolve(request('bob'), failed);
    expect(resolvedFor).toEqual(['ann', 'bob']);
  });
});
