import type { GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import { reuseEntityAnswers } from '../src/subscriptions/entity-reuse';

// Entity answers reused across events (decision 0033), on their own: a hand-made identity data
// source records each fetch and answers from `names`, and the clock is moved by hand.

type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];

const ENTITIES =
  'query($representations:[_Any!]!){_entities(representations:$representations){...on User{displayName}}}';

function setup() {
  let clock = 0;
  const names = new Map<string, string>([['u1', 'Ann']]);
  const fetched: string[] = [];
  let failing = false;
  const identity: GraphQLDataSource = {
    process: async (options) => {
      const { representations } = options.request.variables as {
        representations: { id: string }[];
      };
      fetched.push(representations.map(({ id }) => id).join());
      if (failing) return { data: { _entities: [null] }, errors: [{ message: 'down' }] };
      return {
        data: { _entities: representations.map(({ id }) => ({ displayName: names.get(id) })) },
      };
    },
  };
  const reuse = reuseEntityAnswers({ freshMs: 2_000, maxAgeMs: 10_000, now: () => clock });
  const dataSources: ServiceMap = { identity };
  const fetch = async (id: string, signedIn = true) => {
    const sources = reuse.sources(dataSources, signedIn);
    const response = await sources.identity!.process({
      request: { query: ENTITIES, variables: { representations: [{ __typename: 'User', id }] } },
    } as unknown as ProcessOptions);
    return response;
  };
  return {
    fetch,
    fetched,
    names,
    later: (ms: number) => (clock += ms),
    fail: (is: boolean) => (failing = is),
  };
}

/** Until the background fetches started so far have settled. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('entity answers reused across events', () => {
  it('when the same entities are fetched again within the fresh window, then the first answer serves, as a copy of its own', async () => {
    const { fetch, fetched } = setup();
    const first = await fetch('u1');
    const second = await fetch('u1');
    expect(second.data).toEqual({ _entities: [{ displayName: 'Ann' }] });
    expect(second.data).not.toBe(first.data);
    expect(fetched).toEqual(['u1']);
  });

  it('when other entities, or the same ones signed out, are fetched, then each goes to the subgraph', async () => {
    const { fetch, fetched, names } = setup();
    names.set('u2', 'Bob');
    await fetch('u1');
    expect((await fetch('u2')).data).toEqual({ _entities: [{ displayName: 'Bob' }] });
    await fetch('u1', false);
    expect(fetched).toEqual(['u1', 'u2', 'u1']);
  });

  it('when the answer has errors, then it is not kept: the next fetch goes to the subgraph', async () => {
    const { fetch, fetched, fail } = setup();
    fail(true);
    expect((await fetch('u1')).errors).toEqual([{ message: 'down' }]);
    fail(false);
    expect((await fetch('u1')).data).toEqual({ _entities: [{ displayName: 'Ann' }] });
    expect(fetched).toEqual(['u1', 'u1']);
  });

  it('when the kept answer is past the fresh window, then it serves once more while one new fetch replaces it', async () => {
    const { fetch, fetched, names, later } = setup();
    await fetch('u1');
    names.set('u1', 'Ann B.');
    later(3_000);
    const [stale, alsoStale] = await Promise.all([fetch('u1'), fetch('u1')]);
    expect(stale.data).toEqual({ _entities: [{ displayName: 'Ann' }] });
    expect(alsoStale.data).toEqual({ _entities: [{ displayName: 'Ann' }] });
    await settled();
    expect((await fetch('u1')).data).toEqual({ _entities: [{ displayName: 'Ann B.' }] });
    expect(fetched).toEqual(['u1', 'u1']);
  });

  it('when the kept answer is past the maximum age, then it never serves: the fetch waits for the subgraph', async () => {
    const { fetch, fetched, names, later } = setup();
    await fetch('u1');
    names.set('u1', 'Ann B.');
    later(10_000);
    expect((await fetch('u1')).data).toEqual({ _entities: [{ displayName: 'Ann B.' }] });
    expect(fetched).toEqual(['u1', 'u1']);
  });
});
