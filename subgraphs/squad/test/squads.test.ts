import { randomUUID } from 'node:crypto';
import {
  aMember,
  aSquad,
  aStaffedSquad,
  aUser,
  createSquad,
  dataOf,
  feedKinds,
  SQUAD_FIELDS,
  type TestUser,
} from './factories';
import { codeOf, startTestSquad, type TestSquad } from './harness';

let squad: TestSquad;
beforeAll(async () => {
  squad = await startTestSquad();
});
afterAll(() => squad.stop());

const updateSquad = (user: TestUser | undefined, id: string, input: Record<string, unknown>) =>
  squad.graphql(
    `mutation U($id: ID!, $input: UpdateSquadInput!) { updateSquad(id: $id, input: $input) { ${SQUAD_FIELDS} } }`,
    { id, input },
    user?.token,
  );

describe('creating a squad', () => {
  it('when a user creates one, then they are its OWNER and only member, and the feed says so', async () => {
    const owner = await aUser(squad);
    const homeGymId = randomUUID();
    const created = dataOf(
      await createSquad(squad, owner, {
        name: '  Dawn Patrol ',
        description: 'Early birds',
        visibility: 'PRIVATE',
        homeGymId,
      }),
    );
    expect(created).toMatchObject({
      name: 'Dawn Patrol',
      description: 'Early birds',
      visibility: 'PRIVATE',
      homeGym: { id: homeGymId },
      owner: { id: owner.id },
      memberCount: 1,
      myRole: 'OWNER',
    });
    expect(await feedKinds(squad, owner, created.id)).toEqual(['SQUAD_CREATED']);
  });

  it.each([
    ['a blank name', { name: ' ' }, 'name'],
    ['a name of 81 characters', { name: 'x'.repeat(81) }, 'name'],
    ['a description of 1001 characters', { description: 'x'.repeat(1001) }, 'description'],
    ['a home gym that is no id', { homeGymId: 'not-an-id' }, 'homeGymId'],
  ])(
    'when the input has %s, then it is BAD_USER_INPUT naming the field',
    async (_, input, field) => {
      const result = await createSquad(squad, await aUser(squad), input);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect((result.errors![0]!.extensions as any).problems[0].field).toBe(field);
    },
  );

  it('when nobody is signed in, then it is UNAUTHENTICATED', async () => {
    expect(codeOf(await createSquad(squad, undefined))).toBe('UNAUTHENTICATED');
  });
});

describe('editing a squad', () => {
  it.each(['owner', 'admin'] as const)('when its %s edits it, then it changes', async (who) => {
    const staffed = await aStaffedSquad(squad, 'PUBLIC');
    const edited = dataOf(
      await updateSquad(staffed[who], staffed.squadId, {
        name: 'Renamed',
        description: null,
        visibility: 'PRIVATE',
      }),
    );
    expect(edited).toMatchObject({ name: 'Renamed', description: null, visibility: 'PRIVATE' });
    expect((await feedKinds(squad, staffed.owner, staffed.squadId))[0]).toBe('SQUAD_UPDATED');
  });

  it('when a field is left out, then it stays as it was', async () => {
    const owner = await aUser(squad);
    const homeGymId = randomUUID();
    const { id } = await aSquad(squad, owner, { description: 'Keep me', homeGymId });
    const edited = dataOf(await updateSquad(owner, id, { name: 'New name' }));
    expect(edited).toMatchObject({
      name: 'New name',
      description: 'Keep me',
      homeGym: { id: homeGymId },
    });
  });

  it('when a plain MEMBER or an outsider edits it, then it is FORBIDDEN', async () => {
    const staffed = await aStaffedSquad(squad, 'PUBLIC');
    expect(codeOf(await updateSquad(staffed.member, staffed.squadId, { name: 'Mine' }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await updateSquad(await aUser(squad), staffed.squadId, { name: 'Mine' }))).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(await updateSquad(await aUser(squad, 'ADMIN'), staffed.squadId, { name: 'Mine' })),
    ).toBe('FORBIDDEN');
  });

  it('when the squad does not exist, then it is NOT_FOUND', async () => {
    expect(codeOf(await updateSquad(await aUser(squad), randomUUID(), { name: 'x' }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('the public directory', () => {
  // Names unique to this run, so squads of other tests never match the search.
  const tag = randomUUID().slice(0, 8);
  let viewer: TestUser;

  beforeAll(async () => {
    const owner = await aUser(squad);
    viewer = await aUser(squad);
    for (const name of ['Charlie', 'alpha', 'Bravo', 'Delta']) {
      await aSquad(squad, owner, { name: `${tag} ${name}` });
    }
    await aSquad(squad, owner, { name: `${tag} Hidden`, visibility: 'PRIVATE' });
    const { id } = await aSquad(squad, owner, { name: `${tag} 100%_match` });
    await aMember(squad, id, owner);
  });

  const search = async (search: string, first = 20, after?: string) =>
    dataOf(
      await squad.graphql(
        'query D($search: String, $first: Int, $after: String) { squads(search: $search, first: $first, after: $after) { edges { node { name memberCount } } pageInfo { hasNextPage endCursor } } }',
        { search, first, after },
        viewer.token,
      ),
    );

  it('when it is searched, then it lists the PUBLIC squads whose name matches in any case, by name, page by page', async () => {
    const first = await search(tag.toUpperCase(), 2);
    expect(first.edges.map((edge: any) => edge.node.name)).toEqual([
      `${tag} 100%_match`,
      `${tag} alpha`,
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await search(tag, 10, first.pageInfo.endCursor);
    expect(second.edges.map((edge: any) => edge.node.name)).toEqual(
      ['Bravo', 'Charlie', 'Delta'].map((name) => `${tag} ${name}`),
    );
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('when the search holds LIKE wildcards, then they match only themselves', async () => {
    const found = await search(`${tag} 100%_`);
    expect(found.edges).toEqual([{ node: { name: `${tag} 100%_match`, memberCount: 2 } }]);
    expect((await search(`${tag} 1%h`)).edges).toEqual([]);
  });

  it('when the page arguments are invalid, then it is BAD_USER_INPUT', async () => {
    const page = (first: number, after?: string) =>
      squad.graphql(
        'query D($first: Int, $after: String) { squads(first: $first, after: $after) { edges { cursor } } }',
        { first, after },
        viewer.token,
      );
    expect(codeOf(await page(0))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page(101))).toBe('BAD_USER_INPUT');
    expect(codeOf(await page(5, 'bm90IGEgY3Vyc29y'))).toBe('BAD_USER_INPUT');
  });

  it('when nobody is signed in, then it is UNAUTHENTICATED', async () => {
    expect(codeOf(await squad.graphql('{ squads { edges { cursor } } }'))).toBe('UNAUTHENTICATED');
  });
});
