// The benchmark's workloads: what the load sends, built from the seeded data (./seed.ts). Each is
// a list of requests; the load sends them in turn (one request: the same one every time).
import type { BenchData } from './seed';

export const WORKLOAD_NAMES = ['dashboard', 'nested', 'varied'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface WorkloadRequest {
  headers: Record<string, string>;
  body: string;
}

export interface Workload {
  name: WorkloadName;
  /** One line for the report. */
  description: string;
  requests: WorkloadRequest[];
}

const DAY_MS = 86_400_000;

/** The demo member's dashboard: identity, gym, workout, squad and messaging in one query. */
export const DASHBOARD = `query Dashboard($from: DateTime!, $to: DateTime!) {
  me {
    displayName
    memberships(status: ACTIVE) { status gym { name } plan { name } }
    bookedClasses(from: $from, to: $to) {
      status
      class { title startsAt gym { name } coach { displayName } }
    }
    workoutSessions(first: 5) {
      edges { node { startedAt gym { name } sets { reps weightKg exercise { name } } } }
    }
    personalRecords { kind value exercise { name } }
    squads { name memberCount }
    unreadCount
  }
}`;

/**
 * An admin's view of the members, nested across every subgraph: users (identity) → memberships
 * and bookings (gym) → owner and coach (identity); → sessions and records (workout) → gym (gym);
 * → squads (squad) → home gym (gym), members → user (identity), challenges → leaderboard → user;
 * → chats (messaging) → participants and last message's sender (identity). Tens of KB, within
 * the gateway's operation limits (depth 12, cost 10 000: page sizes are variables, which the cost
 * does not multiply by).
 */
export const NESTED = `query Nested($from: DateTime!, $to: DateTime!, $users: Int!, $sessions: Int!, $members: Int!) {
  users(first: $users) {
    edges {
      node {
        displayName
        role
        memberships { status plan { name priceCents period } gym { name owner { displayName } } }
        bookedClasses(from: $from, to: $to) {
          status
          class { title startsAt durationMinutes gym { name } coach { displayName } }
        }
        workoutSessions(first: $sessions) {
          edges { node { startedAt gym { name } sets { reps weightKg exercise { name equipment } } } }
        }
        personalRecords { kind value exercise { name } }
        squads {
          name
          memberCount
          homeGym { name }
          members(first: $members) { edges { node { role user { displayName } } } }
          challenges(first: 2) {
            edges { node { title goal leaderboard(first: 3) { rank progress user { displayName } } } }
          }
        }
        conversations(first: 2) {
          edges {
            node {
              kind
              participants { user { displayName } }
              lastMessage { body sender { displayName } }
            }
          }
        }
      }
    }
  }
}`;

/** A member's own page with arguments of their own: who, which dates, how much, which squad. */
export const VARIED = `query Member($from: DateTime!, $to: DateTime!, $sessions: Int!, $squadId: ID!, $members: Int!, $gymId: ID!) {
  me {
    displayName
    memberships { status gym { name } plan { name priceCents } }
    bookedClasses(from: $from, to: $to) {
      status
      class { title startsAt coach { displayName } }
    }
    workoutSessions(first: $sessions) {
      edges { node { startedAt sets { reps weightKg exercise { name } } } }
    }
    personalRecords { kind value exercise { name } }
    squads { name memberCount }
    unreadCount
  }
  squad(id: $squadId) {
    name
    members(first: $members) { edges { node { role user { displayName } } } }
  }
  gym(id: $gymId) { name plans { name priceCents perks } }
}`;

/** Requests per member in `varied`: ranges, page sizes, squads and gyms differ between them. */
const VARIANTS_PER_MEMBER = 4;

function request(token: string, query: string, variables: Record<string, unknown>) {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  };
}

/** The workloads asked for, over the seeded data, with dates from `now` (fixed for the run). */
export function buildWorkloads(
  names: readonly WorkloadName[],
  data: BenchData,
  now = new Date(),
): Workload[] {
  const range = (fromDays: number, days: number) => ({
    from: new Date(now.getTime() + fromDays * DAY_MS).toISOString(),
    to: new Date(now.getTime() + (fromDays + days) * DAY_MS).toISOString(),
  });
  const build: Record<WorkloadName, () => Workload> = {
    dashboard: () => ({
      name: 'dashboard',
      description: "the demo member's dashboard, the same request every time",
      requests: [request(data.demoMemberToken, DASHBOARD, range(0, 14))],
    }),
    nested: () => ({
      name: 'nested',
      description:
        "an admin's list of members with their gym, workout, squad and messaging data, the same request every time",
      requests: [
        request(data.adminToken, NESTED, { ...range(0, 14), users: 16, sessions: 2, members: 4 }),
      ],
    }),
    varied: () => ({
      name: 'varied',
      description: `${data.members.length} members, ${VARIANTS_PER_MEMBER} argument sets each: no two requests in flight alike`,
      // Interleaved (member 0's first, member 1's first, …) so that consecutive requests differ in
      // caller as well as arguments.
      requests: Array.from({ length: VARIANTS_PER_MEMBER }, (_, variant) =>
        data.members.map((member, index) =>
          request(member.token, VARIED, {
            ...range(variant % 2, 7 + variant * 2),
            sessions: 1 + ((index + variant) % 4),
            squadId: data.squadIds[(index + variant) % data.squadIds.length],
            members: 3 + ((index * 7 + variant * 5) % 20),
            gymId: data.gymIds[(index + variant) % data.gymIds.length],
          }),
        ),
      ).flat(),
    }),
  };
  return names.map((name) => build[name]());
}
