import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createServiceTokenIssuer,
  createServiceTokenVerifier,
  SERVICE_TOKEN_HEADER,
} from '@fitnexa/shared/auth';
import { TEST_SERVICE_TOKEN_SECRET } from '@fitnexa/shared/testing';
import { HttpSquadMembership } from '../src';

/** How squad checks who calls it: the gateway, or messaging. */
const squadChecks = createServiceTokenVerifier({
  secret: TEST_SERVICE_TOKEN_SECRET,
  audience: 'squad',
  callers: ['messaging'],
});

/** squad's GraphQL endpoint, faked: answers each request with the next canned reply. */
async function fakeSquad(replies: { status?: number; body: unknown }[]) {
  const requests: { authorization?: string; credential?: string; body: any }[] = [];
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    requests.push({
      authorization: req.headers.authorization,
      credential: req.headers[SERVICE_TOKEN_HEADER] as string | undefined,
      body: JSON.parse(raw),
    });
    const reply = replies.shift() ?? { status: 500, body: {} };
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.body));
  };
  const server: Server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    membership: new HttpSquadMembership(
      `http://127.0.0.1:${port}/graphql`,
      createServiceTokenIssuer({ secret: TEST_SERVICE_TOKEN_SECRET, issuer: 'messaging' }),
    ),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const squadId = '6a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const userId = '0b7e5c1a-5d2f-4c1e-9a51-000000000001';

describe('asking squad about membership over HTTP', () => {
  it("when squad answers a role for the viewer, then they are a member; the caller's token is forwarded with messaging's service credential", async () => {
    const squad = await fakeSquad([
      { body: { data: { squad: { id: squadId, myRole: 'MEMBER' } } } },
    ]);
    try {
      expect(await squad.membership.isMember(squadId, userId, 'token-1')).toBe(true);
      expect(squad.requests).toEqual([
        {
          authorization: 'Bearer token-1',
          credential: expect.any(String),
          body: {
            query: expect.stringContaining('squad(id: $id) { id myRole }'),
            variables: { id: squadId },
          },
        },
      ]);
      await expect(squadChecks(squad.requests[0]!.credential)).resolves.toBe('messaging');
    } finally {
      await squad.close();
    }
  });

  it('when squad answers no role, no squad, or FORBIDDEN/NOT_FOUND, then they are not a member', async () => {
    const squad = await fakeSquad([
      { body: { data: { squad: { id: squadId, myRole: null } } } },
      { body: { data: { squad: null } } },
      {
        body: {
          data: { squad: null },
          errors: [{ message: 'no', extensions: { code: 'FORBIDDEN' } }],
        },
      },
      { body: { data: null, errors: [{ message: 'no', extensions: { code: 'NOT_FOUND' } }] } },
    ]);
    try {
      for (let index = 0; index < 4; index += 1) {
        expect(await squad.membership.isMember(squadId, userId, 'token')).toBe(false);
      }
    } finally {
      await squad.close();
    }
  });

  it('when there is no token, then nobody is asked and the answer is no', async () => {
    const squad = await fakeSquad([]);
    try {
      expect(await squad.membership.isMember(squadId, userId, null)).toBe(false);
      expect(squad.requests).toEqual([]);
    } finally {
      await squad.close();
    }
  });

  it('when squad fails or does not know the query, then asking fails rather than answering no', async () => {
    const squad = await fakeSquad([
      {
        status: 500,
        body: { errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
      },
      {
        status: 400,
        body: {
          errors: [
            { message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
          ],
        },
      },
      // squad refusing messaging itself (secrets that differ) is a failure, not a "no".
      {
        status: 401,
        body: {
          errors: [{ message: 'no', extensions: { code: 'SERVICE_UNAUTHENTICATED' } }],
        },
      },
    ]);
    try {
      await expect(squad.membership.isMember(squadId, userId, 'token')).rejects.toThrow(/500/);
      await expect(squad.membership.isMember(squadId, userId, 'token')).rejects.toThrow(/400/);
      await expect(squad.membership.isMember(squadId, userId, 'token')).rejects.toThrow(/401/);
    } finally {
      await squad.close();
    }
    await expect(squad.membership.isMember(squadId, userId, 'token')).rejects.toThrow();
  });
});
