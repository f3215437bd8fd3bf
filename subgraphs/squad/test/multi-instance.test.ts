import { randomUUID } from 'node:crypto';
import { capturingLogger, untilPasses, type CapturedEntry } from '@fitnexa/shared/testing';
import { publishEvent, startTestBus, type TestBus } from '@fitnexa/shared/testing/bus';
import { collectRemovals } from '@fitnexa/shared/testing/realtime';
import { squadRoom } from '../src/domain/realtime';
import {
  aStaffedSquad,
  dataOf,
  leaveSquad,
  removeMember,
  SQUAD_FIELDS,
  type TestUser,
} from './factories';
import {
  closeClients,
  collect,
  emitWithAck,
  eventually,
  squadSocket,
  startTestSquad,
  type TestSquad,
} from './harness';

// squad as two instances on one database and Redis: who follows a squad live (socket.io's
// `/squads`) follows its membership on every instance, whichever instance changed it.

type Socket = Awaited<ReturnType<typeof squadSocket>>;

let instanceA: TestSquad;
let instanceB: TestSquad;
let testBus: TestBus;
let logsOfA: CapturedEntry[];
beforeAll(async () => {
  // Only A consumes events from RabbitMQ: whatever an event changes, A handles it.
  testBus = startTestBus();
  const captured = capturingLogger('squad');
  logsOfA = captured.entries;
  instanceA = await startTestSquad({ bus: testBus.bus, logger: captured.logger });
  instanceB = await startTestSquad({ schema: instanceA.schema });
});
afterEach(() => closeClients());
afterAll(async () => {
  await instanceB.stop({ keepSchema: true });
  await instanceA.stop();
  await testBus.dispose();
});

/** A socket on B of the user (tokens are signed per instance), following the squad. */
async function followingOnB(user: TestUser, squadId: string): Promise<Socket> {
  const socket = await squadSocket(
    instanceB,
    await instanceB.tokenFor({ userId: user.id, role: 'MEMBER' }),
  );
  expect(await emitWithAck(socket, 'squad:join', { squadId })).toEqual({ data: true });
  return socket;
}

/** An edit of the squad on A: a feed entry (SQUAD_UPDATED) for whoever still follows it. */
const touch = (owner: TestUser, squadId: string) =>
  instanceA.graphql(
    `mutation U($id: ID!) { updateSquad(id: $id, input: { description: "${randomUUID()}" }) { ${SQUAD_FIELDS} } }`,
    { id: squadId },
    owner.token,
  );

/** The kinds of feed entries the socket received, once a round trip showed it has all B sent. */
async function kindsReceived(socket: Socket, received: { kind: string }[]) {
  await emitWithAck(socket, 'squad:leave', { squadId: randomUUID() });
  return received.map((activity) => activity.kind);
}

describe('following a PUBLIC squad on another instance', () => {
  it('when a member is removed and an admin leaves on A, then their sockets on B hear nothing more of the squad, and the owner still does', async () => {
    const { squadId, owner, admin, member } = await aStaffedSquad(instanceA, 'PUBLIC');
    const [ownerOnB, adminOnB, memberOnB] = [
      await followingOnB(owner, squadId),
      await followingOnB(admin, squadId),
      await followingOnB(member, squadId),
    ];
    const [toOwner, toAdmin, toMember] = [ownerOnB, adminOnB, memberOnB].map((socket) =>
      collect(socket, 'squad:activity'),
    );

    dataOf(await removeMember(instanceA, owner, squadId, member.id));
    dataOf(await leaveSquad(instanceA, admin, squadId));
    dataOf(await touch(owner, squadId));

    await eventually(() => toOwner!.length === 3, 'the owner hears all three');
    expect(toOwner!.map((activity) => activity.kind)).toEqual([
      'MEMBER_REMOVED',
      'MEMBER_LEFT',
      'SQUAD_UPDATED',
    ]);
    // Each hears the entry of their own leaving, and nothing after it.
    expect(await kindsReceived(memberOnB, toMember!)).toEqual(['MEMBER_REMOVED']);
    expect(await kindsReceived(adminOnB, toAdmin!)).toEqual(['MEMBER_REMOVED', 'MEMBER_LEFT']);
  });

  it("when identity.user.deleted is handled on A, then the deleted member's socket on B hears nothing more of their squads", async () => {
    const { squadId, owner, member } = await aStaffedSquad(instanceA, 'PUBLIC');
    const [ownerOnB, memberOnB] = [
      await followingOnB(owner, squadId),
      await followingOnB(member, squadId),
    ];
    const [toOwner, toMember] = [ownerOnB, memberOnB].map((socket) =>
      collect(socket, 'squad:activity'),
    );
    const removalsOnB = collectRemovals(instanceB.server.hub);

    const deleted = await publishEvent(testBus.bus, 'identity', 'identity.user.deleted', {
      userId: member.id,
    });
    await untilPasses(() =>
      expect(logsOfA).toContainEqual(
        expect.objectContaining({ eventId: deleted.id, message: 'event handled' }),
      ),
    );
    // The removal is published after the commit: wait until B applied it.
    await eventually(() => removalsOnB.length > 0, 'the removal on B');
    expect(removalsOnB).toEqual([{ room: squadRoom(squadId), userId: member.id }]);
    dataOf(await touch(owner, squadId));

    await eventually(() => toOwner!.length === 2, 'the owner hears both');
    expect(toOwner!.map((activity) => activity.kind)).toEqual(['MEMBER_LEFT', 'SQUAD_UPDATED']);
    expect(await kindsReceived(memberOnB, toMember!)).toEqual(['MEMBER_LEFT']);
  });
});
