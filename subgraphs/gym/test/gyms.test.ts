import { randomUUID } from 'node:crypto';
import {
  aGym,
  aPlan,
  aUser,
  BERLIN,
  createGym,
  createPlan,
  dataOf,
  GYM_FIELDS,
  PLAN_FIELDS,
  userFields,
} from './factories';
import { codeOf, startTestGym, type TestGym } from './harness';

let gym: TestGym;

beforeAll(async () => {
  gym = await startTestGym();
});
afterAll(() => gym.stop());

const readGym = (id: string) =>
  gym.graphql(`query G($id: ID!) { gym(id: $id) { ${GYM_FIELDS} plans { ${PLAN_FIELDS} } } }`, {
    id,
  });

const updateGym = (user: { token: string } | undefined, id: string, input: object) =>
  gym.graphql(
    `mutation U($id: ID!, $input: UpdateGymInput!) { updateGym(id: $id, input: $input) { ${GYM_FIELDS} } }`,
    { id, input },
    user?.token,
  );

const ownedGymNames = async (userId: string) =>
  (await userFields(gym, [userId], 'ownedGyms { name }')).data._entities[0].ownedGyms.map(
    (owned: any) => owned.name,
  );

describe('creating a gym', () => {
  it('when a gym owner creates a gym, then it is theirs, with its amenities deduplicated and its opening hours from Sunday', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const result = await createGym(gym, owner, {
      name: '  Iron Temple ',
      amenities: ['Sauna', ' Sauna ', 'Pool'],
      openingHours: [
        { dayOfWeek: 1, opens: '06:00', closes: '22:00' },
        { dayOfWeek: 0, opens: '08:00', closes: '24:00' },
      ],
    });
    expect(dataOf(result)).toEqual({
      id: expect.any(String),
      name: 'Iron Temple',
      address: 'Torstraße 1, Berlin',
      location: BERLIN,
      amenities: ['Sauna', 'Pool'],
      openingHours: [
        { dayOfWeek: 0, opens: '08:00', closes: '24:00' },
        { dayOfWeek: 1, opens: '06:00', closes: '22:00' },
      ],
      owner: { id: owner.id },
      createdAt: expect.any(String),
    });
    expect((await readGym(result.data.createGym.id)).data.gym).toMatchObject({
      name: 'Iron Temple',
      plans: [],
    });
  });

  it('when an admin creates a gym for a user, then that user owns it; without ownerId the admin does', async () => {
    const admin = await aUser(gym, 'ADMIN');
    const ownerId = randomUUID();
    expect(dataOf(await createGym(gym, admin, { ownerId })).owner).toEqual({ id: ownerId });
    expect(dataOf(await createGym(gym, admin)).owner).toEqual({ id: admin.id });
  });

  it('when a gym owner creates a gym for someone else, then it is FORBIDDEN and no gym is created', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const other = randomUUID();
    expect(codeOf(await createGym(gym, owner, { ownerId: other, name: 'Stolen' }))).toBe(
      'FORBIDDEN',
    );
    expect(await ownedGymNames(other)).toEqual([]);
    expect(await ownedGymNames(owner.id)).toEqual([]);
  });

  it.each(['MEMBER', 'COACH'] as const)(
    'when a %s creates a gym, then it is FORBIDDEN and no gym is created',
    async (role) => {
      const user = await aUser(gym, role);
      expect(codeOf(await createGym(gym, user))).toBe('FORBIDDEN');
      expect(await ownedGymNames(user.id)).toEqual([]);
    },
  );

  it('when someone without a token creates a gym, then it is UNAUTHENTICATED', async () => {
    expect(codeOf(await createGym(gym, undefined))).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['name', 'blank', { name: '   ' }],
    ['name', 'over 100 characters', { name: 'x'.repeat(101) }],
    ['location.lat', 'beyond the pole', { location: { lat: 90.5, lng: 0 } }],
    ['location.lng', 'beyond -180', { location: { lat: 0, lng: -180.5 } }],
    [
      'amenities',
      'more than 30',
      { amenities: Array.from({ length: 31 }, (_, index) => `amenity ${index}`) },
    ],
    [
      'openingHours.0.dayOfWeek',
      'day 7',
      { openingHours: [{ dayOfWeek: 7, opens: '06:00', closes: '22:00' }] },
    ],
    [
      'openingHours.0.opens',
      'not a time',
      { openingHours: [{ dayOfWeek: 1, opens: '25:00', closes: '22:00' }] },
    ],
    [
      'openingHours.0.closes',
      'closing before opening',
      { openingHours: [{ dayOfWeek: 1, opens: '22:00', closes: '06:00' }] },
    ],
    [
      'openingHours',
      'a day twice',
      {
        openingHours: [
          { dayOfWeek: 1, opens: '06:00', closes: '12:00' },
          { dayOfWeek: 1, opens: '14:00', closes: '22:00' },
        ],
      },
    ],
    ['ownerId', 'not an id', { ownerId: 'not-an-id' }],
  ])(
    'when a gym is created with an invalid %s (%s), then it is BAD_USER_INPUT naming it',
    async (field, _what, input) => {
      const admin = await aUser(gym, 'ADMIN');
      const result = await createGym(gym, admin, input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain(`${field}:`);
    },
  );
});

describe('changing a gym', () => {
  it('when its owner updates a gym, then only the fields given change and a list given replaces the list', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const created = await aGym(gym, owner, {
      amenities: ['Sauna'],
      openingHours: [{ dayOfWeek: 1, opens: '06:00', closes: '22:00' }],
    });
    const updated = dataOf(
      await updateGym(owner, created.id, {
        name: 'Iron Temple II',
        location: { lat: 52.53, lng: 13.41 },
        amenities: ['Pool'],
      }),
    );
    expect(updated).toMatchObject({
      name: 'Iron Temple II',
      address: 'Torstraße 1, Berlin',
      location: { lat: 52.53, lng: 13.41 },
      amenities: ['Pool'],
      openingHours: [{ dayOfWeek: 1, opens: '06:00', closes: '22:00' }],
    });
    expect((await readGym(created.id)).data.gym).toMatchObject({ name: 'Iron Temple II' });
  });

  it('when an admin updates any gym, then it changes', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const admin = await aUser(gym, 'ADMIN');
    const created = await aGym(gym, owner);
    expect(dataOf(await updateGym(admin, created.id, { address: 'Elsewhere 1' })).address).toBe(
      'Elsewhere 1',
    );
  });

  it('when another gym owner, a member or nobody updates a gym, then it is FORBIDDEN or UNAUTHENTICATED and nothing changes', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const created = await aGym(gym, owner);
    const otherOwner = await aUser(gym, 'GYM_OWNER');
    const member = await aUser(gym);
    expect(codeOf(await updateGym(otherOwner, created.id, { name: 'Mine now' }))).toBe('FORBIDDEN');
    expect(codeOf(await updateGym(member, created.id, { name: 'Mine now' }))).toBe('FORBIDDEN');
    expect(codeOf(await updateGym(undefined, created.id, { name: 'Mine now' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect((await readGym(created.id)).data.gym.name).toBe('Iron Temple');
  });

  it('when an unknown gym is updated, then it is NOT_FOUND', async () => {
    const admin = await aUser(gym, 'ADMIN');
    expect(codeOf(await updateGym(admin, randomUUID(), { name: 'Ghost' }))).toBe('NOT_FOUND');
    expect(codeOf(await updateGym(admin, 'not-an-id', { name: 'Ghost' }))).toBe('NOT_FOUND');
  });

  it('when an update is invalid, then it is BAD_USER_INPUT and nothing changes', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const created = await aGym(gym, owner);
    const result = await updateGym(owner, created.id, { name: '', address: 'New address' });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect((await readGym(created.id)).data.gym.address).toBe('Torstraße 1, Berlin');
  });
});

describe('membership plans', () => {
  it("when a gym's owner adds plans, then the gym lists them cheapest first", async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const created = await aGym(gym, owner);
    const yearly = dataOf(
      await createPlan(gym, owner, created.id, {
        name: ' Yearly ',
        priceCents: 39900,
        currency: 'eur',
        period: 'YEARLY',
        perks: ['Sauna', 'Sauna', 'Towels'],
      }),
    );
    expect(yearly).toEqual({
      id: expect.any(String),
      name: 'Yearly',
      priceCents: 39900,
      currency: 'EUR',
      period: 'YEARLY',
      perks: ['Sauna', 'Towels'],
      gym: { id: created.id },
    });
    await aPlan(gym, owner, created.id, { name: 'Monthly', priceCents: 3990 });
    const plans = (await readGym(created.id)).data.gym.plans;
    expect(plans.map((plan: any) => plan.name)).toEqual(['Monthly', 'Yearly']);
  });

  it('when an admin adds a plan to any gym, then it is added', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const admin = await aUser(gym, 'ADMIN');
    const created = await aGym(gym, owner);
    expect(dataOf(await createPlan(gym, admin, created.id)).name).toBe('Monthly');
  });

  it('when someone else adds a plan, then it is FORBIDDEN or UNAUTHENTICATED and the gym has no plan', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const created = await aGym(gym, owner);
    expect(codeOf(await createPlan(gym, await aUser(gym, 'GYM_OWNER'), created.id))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await createPlan(gym, await aUser(gym), created.id))).toBe('FORBIDDEN');
    expect(codeOf(await createPlan(gym, undefined, created.id))).toBe('UNAUTHENTICATED');
    expect((await readGym(created.id)).data.gym.plans).toEqual([]);
  });

  it.each([
    ['name', 'blank', { name: '' }],
    ['priceCents', 'negative', { priceCents: -1 }],
    ['currency', 'not an ISO 4217 code', { currency: 'EURO' }],
    ['perks', 'with a blank one', { perks: [''] }],
  ])(
    'when a plan has an invalid %s (%s), then it is BAD_USER_INPUT naming it',
    async (field, _what, input) => {
      const owner = await aUser(gym, 'GYM_OWNER');
      const created = await aGym(gym, owner);
      const result = await createPlan(gym, owner, created.id, input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain(field);
    },
  );

  it('when a plan is added to an unknown gym, then it is NOT_FOUND', async () => {
    const admin = await aUser(gym, 'ADMIN');
    expect(codeOf(await createPlan(gym, admin, randomUUID()))).toBe('NOT_FOUND');
  });
});

describe('reading gyms', () => {
  it('when a gym is unknown or its id malformed, then it is null', async () => {
    for (const id of [randomUUID(), 'not-an-id']) {
      expect(await readGym(id)).toEqual({ data: { gym: null } });
    }
  });

  it('when another subgraph resolves gyms by reference, then known ones come back and unknown ones are null', async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    const created = await aGym(gym, owner, { name: 'Referenced' });
    const result = await gym.graphql(
      'query E($r: [_Any!]!) { _entities(representations: $r) { ... on Gym { id name owner { id } } } }',
      {
        r: [
          { __typename: 'Gym', id: created.id },
          { __typename: 'Gym', id: randomUUID() },
          { __typename: 'Gym', id: 'nope' },
        ],
      },
    );
    expect(result.data._entities).toEqual([
      { id: created.id, name: 'Referenced', owner: { id: owner.id } },
      null,
      null,
    ]);
  });

  it("when anyone reads a user's owned gyms, then they come by name", async () => {
    const owner = await aUser(gym, 'GYM_OWNER');
    await aGym(gym, owner, { name: 'Zeta Gym' });
    await aGym(gym, owner, { name: 'Alpha Gym' });
    expect(await ownedGymNames(owner.id)).toEqual(['Alpha Gym', 'Zeta Gym']);
  });
});
