import { aGym, aUser, type TestUser } from './factories';
import { codeOf, startTestGym, type TestGym } from './harness';

let gym: TestGym;
let owner: TestUser;

beforeAll(async () => {
  gym = await startTestGym();
  owner = await aUser(gym, 'GYM_OWNER');
});
afterAll(() => gym.stop());

const NEAR =
  'query N($lat: Float!, $lng: Float!, $radiusKm: Float!, $first: Int, $after: String) { gymsNear(lat: $lat, lng: $lng, radiusKm: $radiusKm, first: $first, after: $after) { edges { cursor distanceKm node { id name } } pageInfo { hasNextPage endCursor } } }';

const KM_PER_DEGREE = (Math.PI * 6371.0088) / 180;

/** A point on the 3-decimal grid searches are rounded to, somewhere no other test searches. */
let nextArea = 0;
function anArea(latitude = -50 + nextArea * 7) {
  nextArea += 1;
  return { lat: latitude, lng: -150 + nextArea * 13 };
}

/** The point `eastKm` east and `northKm` north of `from` (good to metres over a few dozen km). */
function offset(from: { lat: number; lng: number }, eastKm: number, northKm = 0) {
  return {
    lat: from.lat + northKm / KM_PER_DEGREE,
    lng: from.lng + eastKm / (KM_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180)),
  };
}

const near = (variables: Record<string, unknown>) => gym.graphql(NEAR, variables);

const namesNear = async (variables: Record<string, unknown>) =>
  (await near(variables)).data.gymsNear.edges.map((edge: any) => edge.node.name);

describe('gyms near a point', () => {
  it('when gyms lie around a point, then those within the radius come nearest first with their distances', async () => {
    const center = anArea();
    for (const [name, eastKm, northKm] of [
      ['seven', 7, 0],
      ['one', 0, 1],
      ['twelve', -12, 0],
      ['three', -3, 0],
    ] as const) {
      await aGym(gym, owner, { name, location: offset(center, eastKm, northKm) });
    }
    const result = await near({ ...center, radiusKm: 10 });
    const edges = result.data.gymsNear.edges;
    expect(edges.map((edge: any) => edge.node.name)).toEqual(['one', 'three', 'seven']);
    edges.forEach((edge: any, index: number) =>
      expect(edge.distanceKm).toBeCloseTo([1, 3, 7][index]!, 2),
    );
    expect(result.data.gymsNear.pageInfo.hasNextPage).toBe(false);
  });

  it('when the searched point moves by less than 50 m, then the answer is the same (the point is rounded to ~100 m)', async () => {
    const center = anArea();
    await aGym(gym, owner, { name: 'rounded', location: offset(center, 2) });
    const exact = await near({ ...center, radiusKm: 5 });
    const nudged = await near({ lat: center.lat + 0.0004, lng: center.lng - 0.0004, radiusKm: 5 });
    expect(nudged.data).toEqual(exact.data);
  });

  it('when results are paged, then every gym in the radius comes exactly once, in distance order, ties included', async () => {
    const center = anArea();
    const placed = [
      ['a', 1, 0],
      ['b', 2, 0],
      ['b-twin', 2, 0],
      ['c', 0, -3],
      ['d', 4, 0],
      ['e', -5, 0],
    ] as const;
    for (const [name, eastKm, northKm] of placed) {
      await aGym(gym, owner, { name, location: offset(center, eastKm, northKm) });
    }
    const seen: { name: string; distanceKm: number }[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result = await near({ ...center, radiusKm: 20, first: 2, after });
      const connection: any = result.data.gymsNear;
      seen.push(
        ...connection.edges.map((edge: any) => ({
          name: edge.node.name,
          distanceKm: edge.distanceKm,
        })),
      );
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((gymNear) => gymNear.name).sort()).toEqual(placed.map(([name]) => name).sort());
    const distances = seen.map((gymNear) => gymNear.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
  });

  it('when no gym is in the radius, then the connection is empty', async () => {
    const center = anArea();
    await aGym(gym, owner, { name: 'far', location: offset(center, 30) });
    expect((await near({ ...center, radiusKm: 25 })).data.gymsNear).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('when the radius is 100 km at 60° north, then a gym 99 km due east is found and one 101 km away is not', async () => {
    const center = anArea(60);
    await aGym(gym, owner, { name: 'edge', location: offset(center, 99) });
    await aGym(gym, owner, { name: 'beyond', location: offset(center, 0, 101) });
    expect(await namesNear({ ...center, radiusKm: 100 })).toEqual(['edge']);
  });

  it('when the search crosses the antimeridian or nears a pole, then gyms on the other side are found', async () => {
    await aGym(gym, owner, { name: 'west of the line', location: { lat: -16.5, lng: -179.99 } });
    expect(await namesNear({ lat: -16.5, lng: 179.99, radiusKm: 5 })).toEqual(['west of the line']);
    await aGym(gym, owner, { name: 'polar', location: { lat: 89.99, lng: 100 } });
    expect(await namesNear({ lat: 89.99, lng: -80, radiusKm: 5 })).toEqual(['polar']);
  });

  it.each([
    ['radiusKm', { radiusKm: 0 }],
    ['radiusKm', { radiusKm: -5 }],
    ['radiusKm', { radiusKm: 100.5 }],
    ['lat', { lat: 91 }],
    ['lng', { lng: 181 }],
    ['first', { first: 0 }],
    ['first', { first: 101 }],
    ['after', { after: 'bm9wZQ' }],
  ])('when %s is out of bounds (%j), then it is BAD_USER_INPUT', async (field, change) => {
    const result = await near({ lat: 52.52, lng: 13.405, radiusKm: 10, ...change });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(field);
  });
});
