import { randomUUID } from 'node:crypto';
import { untilPasses } from '@fitnexa/shared/testing';
import { startGraph, type Graph, type SignedIn } from './support';

// Central logs: every service publishes to the `logs` exchange, observability stores them in
// MongoDB (its in-process stand-in here), and admins read them through the gateway.

let graph: Graph;
let member: SignedIn;
let admin: SignedIn;
beforeAll(async () => {
  // No demo data (seeding costs seconds): a fresh member, and a fresh admin.
  graph = await startGraph({ publishLogs: true });
  member = await graph.signUp();
  admin = await graph.signUp('ADMIN');
});
afterAll(() => graph?.stop());

const DASHBOARD = `query Dashboard {
  me {
    displayName
    memberships(status: ACTIVE) { gym { name } }
    workoutSessions(first: 3) { edges { node { startedAt gym { name } } } }
  }
}`;

const LOGS = `query Logs($filter: LogFilter, $first: Int) {
  logs(filter: $filter, first: $first) { service level message correlationId timestamp }
}`;

describe('central logs through the gateway', () => {
  it('when a request spans identity, gym and workout under one x-correlation-id, then an admin finds log entries of the gateway and those subgraphs under that id', async () => {
    const correlationId = `dashboard-${randomUUID()}`;

    const response = await graph.post(
      { query: DASHBOARD },
      { authorization: `Bearer ${member.token}`, 'x-correlation-id': correlationId },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.me).toMatchObject({
      memberships: [],
      workoutSessions: { edges: [] },
    });

    const entries = await untilPasses(async () => {
      const data = await graph.as(admin.token, LOGS, { filter: { correlationId }, first: 100 });
      const services = new Set(data.logs.map((entry: { service: string }) => entry.service));
      expect([...services].sort()).toEqual(
        expect.arrayContaining(['gateway', 'gym', 'identity', 'workout']),
      );
      return data.logs as { service: string; level: string; correlationId: string }[];
    }, 15_000);
    expect(entries.every((entry) => entry.correlationId === correlationId)).toBe(true);
  });

  it('when a member asks for the logs through the gateway, then FORBIDDEN', async () => {
    const response = await graph.post(
      { query: LOGS, variables: {} },
      { authorization: `Bearer ${member.token}` },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
