// The containerized graph answers as the real one: the demo member signs in through the gateway
// and gets a dashboard that spans identity, gym and workout; the administrator made by identity's
// create-admin command signs in too. Exits 1 with the reason otherwise.
//
//   tsx --conditions=fitnexa-source scripts/containers/dashboard.ts GATEWAY_URL ADMIN_EMAIL ADMIN_PASSWORD
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';

const [gatewayUrl, adminEmail, adminPassword] = process.argv.slice(2);

const DASHBOARD = `
  query Dashboard($weekStart: DateTime!, $weekEnd: DateTime!) {
    me {
      displayName
      memberships(status: ACTIVE) { status gym { name } plan { name } }
      bookedClasses(from: $weekStart, to: $weekEnd) { status class { title coach { displayName } } }
      workoutSessions(first: 5) { edges { node { startedAt gym { name } } } }
      personalRecords { kind value exercise { name } }
    }
  }`;
const LOGIN =
  'mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { role } } }';

interface Dashboard {
  me: {
    displayName: string;
    memberships: unknown[];
    bookedClasses: unknown[];
    workoutSessions: { edges: unknown[] };
    personalRecords: unknown[];
  };
}

async function graphql<T>(query: string, variables: object, token?: string): Promise<T> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!response.ok || body.errors || !body.data)
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

async function logIn(email: string, password: string) {
  const { login } = await graphql<{ login: { accessToken: string; user: { role: string } } }>(
    LOGIN,
    { input: { email, password } },
  );
  return login;
}

async function main() {
  if (!gatewayUrl || !adminEmail || !adminPassword)
    throw new Error('usage: dashboard.ts GATEWAY_URL ADMIN_EMAIL ADMIN_PASSWORD');
  const member = await logIn(DEMO_USERS.member.email, DEMO_PASSWORD);
  const day = 86_400_000;
  const { me } = await graphql<Dashboard>(
    DASHBOARD,
    {
      weekStart: new Date(Date.now() - day).toISOString(),
      weekEnd: new Date(Date.now() + 6 * day).toISOString(),
    },
    member.accessToken,
  );
  const problems = [
    me.displayName === DEMO_USERS.member.displayName ? '' : `displayName ${me.displayName}`,
    me.memberships.length > 0 ? '' : 'no memberships (gym)',
    me.bookedClasses.length > 0 ? '' : 'no booked classes (gym)',
    me.workoutSessions.edges.length > 0 ? '' : 'no workout sessions (workout)',
    me.personalRecords.length > 0 ? '' : 'no personal records (workout)',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`dashboard incomplete: ${problems.join(', ')}`);
  const admin = await logIn(adminEmail, adminPassword);
  if (admin.user.role !== 'ADMIN') throw new Error(`${adminEmail} is ${admin.user.role}`);
  console.log(
    `dashboard of ${me.displayName}: ${me.memberships.length} memberships, ${me.bookedClasses.length} booked classes, ${me.workoutSessions.edges.length} workout sessions, ${me.personalRecords.length} records; ${adminEmail} signs in as ADMIN`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
