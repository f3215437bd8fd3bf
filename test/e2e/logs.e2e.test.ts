import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD, DEMO_USERS } from '@fitnexa/shared/types';
import { untilPasses } from '@fitnexa/shared/testing';
import { startGraph, type Graph } from './support';

// Central logs: every service publishes to the `logs` exchange, observability stores them in
// MongoDB (its in-process stand-in here), and admins read them through the gateway.

let graph: Graph;
beforeAll(async () => {
  graph = await startGraph({ seedDemoData: true, publishLogs: true });
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
    const member = await graph.logIn(DEMO_USERS.member.email, DEMO_PASSWORD);
    const admin = await graph.logIn(DEMO_USERS.admin.email, DEMO_PASSWORD);
    const correlationId = `dashboard-${randomUUID()}`;

    const response = await graph.post(
      { query: DASHBOARD },
      { authorization: `Bearer ${member.token}`, 'x-correlation-id': correlationId },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.me.memberships.length).toBeGreaterThan(0);

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
    const member = await graph.logIn(DEMO_USERS.member.email, DEMO_PASSWORD);
    const response = await graph.post(
      { query: LOGS, variables: {} },
      { authorization: `Bearer ${member.token}` },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
