import { startGraph, type Graph } from './support';

// Whole responses cached at the gateway in Redis, as the subgraphs' cache hints allow.

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph();
});
afterAll(() => graph.stop());

async function workoutFetches(): Promise<number> {
  const text = await (await fetch(graph.gateway.url.replace('/graphql', '/metrics'))).text();
  const line = text
    .split('\n')
    .find((entry) =>
      /^subgraph_fetch_duration_seconds_count\{.*subgraph="workout",outcome="ok"/.test(entry),
    );
  return Number(line?.split(' ').at(-1) ?? 0);
}

async function ask(query: string, token?: string) {
  const response = await fetch(graph.gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  return { age: response.headers.get('age'), body: (await response.json()) as any };
}

describe('response caching at the gateway', () => {
  it('when the public exercise catalogue is asked for twice, then the second answer comes from the cache and workout is not asked again', async () => {
    const query = '{ exercises(first: 5) { edges { node { name muscleGroups } } } }';
    const first = await ask(query);
    expect(first.body.data.exercises.edges).toHaveLength(5);
    expect(first.age).toBeNull();
    const fetchesAfterFirst = await workoutFetches();

    const second = await ask(query);
    expect(second.body).toEqual(first.body);
    expect(second.age).not.toBeNull();
    expect(await workoutFetches()).toBe(fetchesAfterFirst);
  });

  it('when a member asks for their own workouts twice, then nothing is cached: private data without a hint is always fresh', async () => {
    const member = await graph.signUp();
    const query = '{ me { workoutSessions(first: 1) { edges { node { id } } } } }';
    await ask(query, member.token);
    const before = await workoutFetches();
    const again = await ask(query, member.token);
    expect(again.age).toBeNull();
    expect(await workoutFetches()).toBe(before + 1);
  });
});
