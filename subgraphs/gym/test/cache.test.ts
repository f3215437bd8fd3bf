import { capturingLogger } from '@fitnexa/shared/testing';
import {
  aClass,
  aGym,
  aGymWithPlan,
  aMember,
  aPlan,
  aUser,
  bookClass,
  checkIn,
  dataOf,
  GYM_FIELDS,
  type TestUser,
} from './factories';
import { startTestGym, type TestGym } from './harness';

const READ_GYM = `query G($id: ID!) { gym(id: $id) { ${GYM_FIELDS} plans { name } } }`;
const NEAR =
  'query N($lat: Float!, $lng: Float!) { gymsNear(lat: $lat, lng: $lng, radiusKm: 5) { edges { distanceKm node { id name } } } }';
const UPDATE_GYM =
  'mutation U($id: ID!, $input: UpdateGymInput!) { updateGym(id: $id, input: $input) { id name } }';

describe('the gym cache (Redis)', () => {
  let gym: TestGym;
  let owner: TestUser;
  const logs = capturingLogger('gym');
  const statements = () => logs.entries.filter((entry) => entry.message === 'sql').length;

  beforeAll(async () => {
    gym = await startTestGym({ logger: logs.logger });
    owner = await aUser(gym, 'GYM_OWNER');
  });
  afterAll(() => gym.stop());

  it('when a gym was read once, then reading it again, or resolving it by reference, costs no SQL', async () => {
    const { gymId } = await aGymWithPlan(gym);
    const first = await gym.graphql(READ_GYM, { id: gymId });
    const before = statements();
    const again = await gym.graphql(READ_GYM, { id: gymId });
    const reference = await gym.graphql(
      'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Gym { name } } }',
      { r: [{ __typename: 'Gym', id: gymId }] },
    );
    expect(again).toEqual(first);
    expect(reference.data._entities).toEqual([{ name: first.data.gym.name }]);
    expect(statements() - before).toBe(0);
  });

  it('when a cached gym is updated or gets a plan, then the next read shows it', async () => {
    const { owner: gymOwner, gymId } = await aGymWithPlan(gym);
    await gym.graphql(READ_GYM, { id: gymId });
    dataOf(
      await gym.graphql(UPDATE_GYM, { id: gymId, input: { name: 'Renamed' } }, gymOwner.token),
    );
    await aPlan(gym, gymOwner, gymId, { name: 'Yearly', priceCents: 39900, period: 'YEARLY' });
    expect((await gym.graphql(READ_GYM, { id: gymId })).data.gym).toMatchObject({
      name: 'Renamed',
      plans: [{ name: 'Monthly' }, { name: 'Yearly' }],
    });
  });

  it('when a distance search is repeated, then it costs no SQL; when a gym opens nearby or one moves away, then the search shows it', async () => {
    const point = { lat: 48.137, lng: 11.575 };
    await aGym(gym, owner, { name: 'Staying', location: point });
    const moving = await aGym(gym, owner, {
      name: 'Moving',
      location: { lat: 48.14, lng: 11.58 },
    });
    const names = async () =>
      (await gym.graphql(NEAR, point)).data.gymsNear.edges.map((edge: any) => edge.node.name);
    expect(await names()).toEqual(['Staying', 'Moving']);
    const before = statements();
    expect(await names()).toEqual(['Staying', 'Moving']);
    expect(statements() - before).toBe(0);

    await aGym(gym, owner, { name: 'Newcomer', location: { lat: 48.138, lng: 11.576 } });
    expect(await names()).toEqual(['Staying', 'Newcomer', 'Moving']);
    dataOf(
      await gym.graphql(
        UPDATE_GYM,
        { id: moving.id, input: { location: { lat: 48.5, lng: 11.575 } } },
        owner.token,
      ),
    );
    expect(await names()).toEqual(['Staying', 'Newcomer']);
  });
});

describe('when Redis is not reachable', () => {
  let gym: TestGym;

  beforeAll(async () => {
    // Nothing listens on port 1: every cache call fails fast and counts as a miss.
    gym = await startTestGym({ redisUrl: 'redis://127.0.0.1:1' });
  });
  afterAll(() => gym.stop());

  it('then gyms are read from PostgreSQL, changes show at once, and members still join, book and check in', async () => {
    const { owner, gymId, planId } = await aGymWithPlan(gym, {
      location: { lat: 40.4, lng: -3.7 },
    });
    expect((await gym.graphql(READ_GYM, { id: gymId })).data.gym.plans).toEqual([
      { name: 'Monthly' },
    ]);
    dataOf(await gym.graphql(UPDATE_GYM, { id: gymId, input: { name: 'Offline' } }, owner.token));
    expect((await gym.graphql(READ_GYM, { id: gymId })).data.gym.name).toBe('Offline');
    const near = await gym.graphql(NEAR, { lat: 40.4, lng: -3.7 });
    expect(near.data.gymsNear.edges).toEqual([
      { distanceKm: 0, node: { id: gymId, name: 'Offline' } },
    ]);

    const member = await aMember(gym, planId);
    const gymClass = await aClass(gym, owner, gymId);
    expect(dataOf(await bookClass(gym, member, gymClass.id)).status).toBe('BOOKED');
    expect(dataOf(await checkIn(gym, member, gymId)).gym).toEqual({ id: gymId });
  });

  it('then the service stays ready and reports the cache (and the revocations on the same Redis) as degraded', async () => {
    const response = await fetch(gym.server.url.replace('/graphql', '/health/ready'));
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      ready: true,
      degraded: ['cache', 'revocations'],
      checks: { cache: { status: 'down' }, revocations: { status: 'down' } },
    });
  });
});
