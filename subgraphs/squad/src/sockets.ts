import { parseInput, errorMessage } from '@fitnexa/shared/errors';
import type { Logger } from '@fitnexa/shared/logger';
import {
  onSocketEvent,
  principalOfSocket,
  type EventHub,
  type SocketServer,
} from '@fitnexa/shared/realtime';
import { z } from 'zod';
import { ACTIVITY_EVENT, squadRoom, type ActivityEvent } from './domain/realtime';
import type { Squads } from './domain/squads';

/**
 * socket.io namespace `/squads`. A client emits `squad:join` with `{ squadId }` (ack `{ data: true }`,
 * or `{ error: { code } }`: FORBIDDEN unless it may see the squad) and from then on receives the
 * squad's `squad:activity` (an ActivityEvent) and `challenge:leaderboard` (a LeaderboardEvent),
 * until `squad:leave`. The events are the hub's, delivered by the shared bridge to the socket.io
 * room of the same name as the hub room.
 */
export const SQUADS_NAMESPACE = '/squads';

const roomInput = z.object({ squadId: z.string() });

export function registerSquadSockets(
  io: SocketServer,
  deps: { squads: Squads; hub: EventHub; logger: Logger },
): void {
  const namespace = io.of(SQUADS_NAMESPACE);
  namespace.on('connection', (socket) => {
    const principal = principalOfSocket(socket);
    onSocketEvent(
      socket,
      'squad:join',
      async (payload) => {
        const { squadId } = parseInput(roomInput, payload);
        const squad = await deps.squads.requireVisible(principal, squadId);
        await socket.join(squadRoom(squad.id));
        return true;
      },
      deps.logger,
    );
    onSocketEvent(
      socket,
      'squad:leave',
      async (payload) => {
        const { squadId } = parseInput(roomInput, payload);
        await socket.leave(squadRoom(squadId));
        return true;
      },
      deps.logger,
    );
  });

  // Following a squad ends with membership (LiveUpdates.membershipEnded takes a leaver's sockets
  // out on every instance), and, once the squad was edited (it may have become PRIVATE), for users
  // who may no longer see it: every instance drops its own sockets of those.
  const socketsIn = (room: string) =>
    [...(namespace.adapter.rooms.get(room) ?? [])].flatMap((id) => namespace.sockets.get(id) ?? []);
  deps.hub.onEvent((event) => {
    if (event.name !== ACTIVITY_EVENT) return;
    const activity = event.payload as ActivityEvent;
    if (activity.kind !== 'SQUAD_UPDATED') return;
    const sockets = socketsIn(event.room);
    if (!sockets.length) return;
    deps.squads.blindAmong(activity.squadId, sockets.map(principalOfSocket)).then(
      (blind) => {
        for (const socket of sockets) {
          if (blind.has(principalOfSocket(socket).userId)) void socket.leave(event.room);
        }
      },
      (error: unknown) =>
        deps.logger.error('squad access check failed', {
          error: errorMessage(error),
        }),
    );
  });
}
