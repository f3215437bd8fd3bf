// The benchmark's own data on top of the demo data (the demo seed the README describes stays as it
// is): members who train, book, join squads and chat, written through a gateway with the same
// mutations as the apps use, so that every subgraph holds the rows a real query reaches. Every
// string is ASCII: autocannon joins a response's chunks as strings, which would split a multi-byte
// character across two chunks and make a correct answer look wrong.
import { DEMO_GYM_IDS, DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';

/** Members the benchmark adds. */
export const BENCH_MEMBERS = 48;
/** Squads they found (each with a few members); all of them join the demo squad too. */
const SQUADS = 6;
/** Workouts each member logs: two exercises of three sets each. */
const SESSIONS = 4;
/** Members seeded at once. */
const PARALLEL = 8;
const DAY_MS = 86_400_000;

export interface BenchMember {
  id: string;
  token: string;
  /** The gym whose plan they joined. */
  gymId: string;
}

export interface BenchData {
  /** The demo member's token (the dashboard workload's caller). */
  demoMemberToken: string;
  /** The demo admin's token: may read every member's private fields. */
  adminToken: string;
  members: BenchMember[];
  /** The squads the members founded, and the demo squad. */
  squadIds: string[];
  gymIds: string[];
}

export class GraphQLRequestError extends Error {}

/** A GraphQL request that must succeed: data and no errors, or it throws. */
export async function graphql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let json: { data?: T | null; errors?: unknown[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new GraphQLRequestError(`${response.status}: ${text.slice(0, 500)}`);
  }
  if (!response.ok || json.errors?.length || !json.data) {
    throw new GraphQLRequestError(`${response.status}: ${text.slice(0, 2000)}`);
  }
  return json.data;
}

async function logIn(url: string, email: string): Promise<string> {
  const { login } = await graphql<{ login: { accessToken: string } }>(
    url,
    'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { email, password: DEMO_PASSWORD } },
  );
  return login.accessToken;
}

/** Runs `work` for every item, `parallel` at a time. */
async function inBatches<T, R>(
  items: readonly T[],
  parallel: number,
  work: (item: T) => Promise<R>,
) {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += parallel) {
    results.push(...(await Promise.all(items.slice(start, start + parallel).map(work))));
  }
  return results;
}

/** Seeds the benchmark's members through the gateway at `url`; returns who and what they are. */
export async function seedBenchData(url: string): Promise<BenchData> {
  const [demoMemberToken, adminToken] = await Promise.all([
    logIn(url, DEMO_USERS.member.email),
    logIn(url, DEMO_USERS.admin.email),
  ]);
  const gymIds = [DEMO_GYM_IDS.home, DEMO_GYM_IDS.second, DEMO_GYM_IDS.third];
  const from = new Date();
  const to = new Date(from.getTime() + 14 * DAY_MS);
  const gyms = await Promise.all(
    gymIds.map(async (gymId) => {
      const data = await graphql<{
        gym: { plans: { id: string }[] };
        gymSchedule: { id: string }[];
      }>(
        url,
        `
          query Gym($id: ID!, $from: DateTime!, $to: DateTime!) {
            gym(id: $id) {
              plans {
                id
              }
            }
            gymSchedule(gymId: $id, from: $from, to: $to) {
              id
            }
          }
        `,
        { id: gymId, from: from.toISOString(), to: to.toISOString() },
        adminToken,
      );
      return {
        gymId,
        planIds: data.gym.plans.map((plan) => plan.id),
        classIds: data.gymSchedule.map((c) => c.id),
      };
    }),
  );
  const { exercises } = await graphql<{ exercises: { edges: { node: { id: string } }[] } }>(
    url,
    'query Exercises { exercises(first: 12) { edges { node { id } } } }',
    {},
    adminToken,
  );
  const exerciseIds = exercises.edges.map((edge) => edge.node.id);

  const members = await inBatches(
    Array.from({ length: BENCH_MEMBERS }, (_, index) => index),
    PARALLEL,
    async (index): Promise<BenchMember> => {
      const { register } = await graphql<{
        register: { accessToken: string; user: { id: string } };
      }>(
        url,
        'mutation Register($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
        {
          input: {
            email: `bench-member-${index}@fitnexa.dev`,
            password: `${DEMO_PASSWORD}-bench-${index}`,
            displayName: `Bench Member ${index}`,
          },
        },
      );
      const token = register.accessToken;
      const gym = gyms[index % gyms.length]!;
      await graphql(
        url,
        'mutation Join($planId: ID!) { joinGym(planId: $planId) { id } }',
        { planId: gym.planIds[index % gym.planIds.length] },
        token,
      );
      for (let booking = 0; booking < 3; booking += 1) {
        await graphql(
          url,
          'mutation Book($classId: ID!) { bookClass(classId: $classId) { id } }',
          { classId: gym.classIds[(index + booking * 4) % gym.classIds.length] },
          token,
        );
      }
      return { id: register.user.id, token, gymId: gym.gymId };
    },
  );

  // Squads: the first members found one each, the others join one of them; all join the demo one.
  const demoSquad = await graphql<{ squads: { edges: { node: { id: string } }[] } }>(
    url,
    'query Demo { squads(first: 1) { edges { node { id } } } }',
    {},
    adminToken,
  );
  const founded: string[] = [];
  for (let index = 0; index < SQUADS; index += 1) {
    const { createSquad } = await graphql<{ createSquad: { id: string } }>(
      url,
      'mutation Found($input: CreateSquadInput!) { createSquad(input: $input) { id } }',
      {
        input: {
          name: `Bench Squad ${index}`,
          description: `Squad ${index} of the gateway benchmark: early sessions, heavy singles.`,
          visibility: 'PUBLIC',
          homeGymId: members[index]!.gymId,
        },
      },
      members[index]!.token,
    );
    founded.push(createSquad.id);
  }
  const squadIds = [...founded, ...demoSquad.squads.edges.map((edge) => edge.node.id)];
  await inBatches(members, PARALLEL, async (member) => {
    const index = members.indexOf(member);
    const join = (squadId: string) =>
      graphql(
        url,
        'mutation JoinSquad($id: ID!) { joinSquad(squadId: $id) { role } }',
        { id: squadId },
        member.token,
      );
    if (index >= SQUADS) await join(founded[index % SQUADS]!);
    for (const squadId of squadIds.slice(SQUADS)) await join(squadId);
  });

  // Training, and a chat with the demo coach, per member.
  await inBatches(members, PARALLEL, async (member) => {
    const index = members.indexOf(member);
    for (let session = 0; session < SESSIONS; session += 1) {
      const { startWorkoutSession } = await graphql<{ startWorkoutSession: { id: string } }>(
        url,
        'mutation Start($gymId: ID) { startWorkoutSession(gymId: $gymId) { id } }',
        { gymId: member.gymId },
        member.token,
      );
      for (let exercise = 0; exercise < 2; exercise += 1) {
        const exerciseId = exerciseIds[(index + session * 2 + exercise) % exerciseIds.length];
        for (let set = 0; set < 3; set += 1) {
          await graphql(
            url,
            `
              mutation Log($sessionId: ID!, $exerciseId: ID!, $reps: Int!, $weightKg: Float!) {
                logSet(
                  sessionId: $sessionId
                  exerciseId: $exerciseId
                  reps: $reps
                  weightKg: $weightKg
                ) {
                  id
                }
              }
            `,
            {
              sessionId: startWorkoutSession.id,
              exerciseId,
              reps: 5 + ((index + set) % 6),
              weightKg: 20 + 2.5 * ((index * 3 + session * 2 + set) % 40),
            },
            member.token,
          );
        }
      }
      await graphql(
        url,
        'mutation Complete($id: ID!) { completeWorkoutSession(sessionId: $id) { id } }',
        { id: startWorkoutSession.id },
        member.token,
      );
    }
    const { startDirectConversation } = await graphql<{ startDirectConversation: { id: string } }>(
      url,
      'mutation Chat($userId: ID!) { startDirectConversation(userId: $userId) { id } }',
      { userId: DEMO_USERS.coach.id },
      member.token,
    );
    for (const body of [
      `Hi coach, member ${index} here.`,
      `Session ${SESSIONS} done, on to the next!`,
    ]) {
      await graphql(
        url,
        'mutation Send($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }',
        { id: startDirectConversation.id, body },
        member.token,
      );
    }
  });
  return { demoMemberToken, adminToken, members, squadIds, gymIds };
}
