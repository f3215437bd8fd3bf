import type { EventHandlers } from '@fitnexa/shared/events';
import { removeFromRoom, type EventHub } from '@fitnexa/shared/realtime';
import type { MessagingRepositories } from '../data/repositories';
import type { MessagingTx } from '../db';
import {
  conversationRoom,
  MESSAGE_DELETED,
  messagePayload,
  PARTICIPANT_REMOVED,
  type ParticipantRemovedPayload,
} from './realtime';

/**
 * The sender of a deleted user's messages: a fixed id no user has. The rows stay (conversations
 * keep their shape, read marks keep pointing somewhere) but no longer say who wrote them; a fixed
 * id rather than null keeps `senderId`, and `Message.sender`, non-null for every client.
 */
export const DELETED_USER_ID = '00000000-0000-0000-0000-000000000000';

export interface MessagingEventDeps {
  repositories: MessagingRepositories;
  hub: EventHub;
  now?: () => Date;
}

/**
 * The events messaging consumes. Each handler works in the transaction that marks the event
 * handled (all its writes go through `tx`); what it returns tells clients after the commit.
 *
 * A squad's conversation follows the squad's membership: a member who joins becomes a participant
 * (when the conversation exists; otherwise they do on first opening it), a member who leaves stops
 * being one at once, and their subscriptions and sockets hear no more of it. Reaching the
 * conversation still asks squad (SquadMembership) for members who are not participants yet.
 */
export function messagingEventHandlers(deps: MessagingEventDeps): EventHandlers<MessagingTx> {
  const { participants, messages, conversations } = deps.repositories;
  const now = deps.now ?? (() => new Date());
  // Their subscriptions end and their sockets, told first, leave the room on every instance.
  const removed = (conversationIds: readonly string[], userId: string) => async () => {
    for (const conversationId of conversationIds) {
      const payload: ParticipantRemovedPayload = { conversationId, userId };
      const room = conversationRoom(conversationId);
      await deps.hub.publish(room, PARTICIPANT_REMOVED, payload);
      await removeFromRoom(deps.hub, room, userId);
    }
  };
  // A retried event can arrive after a later one for the same member: the later one stands.
  const latest = (tx: MessagingTx, squadId: string, userId: string, occurredAt: string) =>
    participants.isLatestMembershipEvent(tx, squadId, userId, new Date(occurredAt));
  return {
    'squad.member.joined': async (event, tx) => {
      const { squadId, userId } = event.data;
      if (!(await latest(tx, squadId, userId, event.occurredAt))) return;
      await participants.joinSquadConversation(tx, squadId, userId, now());
    },
    'squad.member.left': async (event, tx) => {
      const { squadId, userId, userDeleted } = event.data;
      // A deleted user's leaving (squad's answer to identity.user.deleted, which may come after
      // ours) records nothing: no row is to keep their id.
      if (userDeleted) await participants.forgetMembershipEvents(tx, userId);
      else if (!(await latest(tx, squadId, userId, event.occurredAt))) return;
      const conversationId = await participants.leaveSquadConversation(tx, squadId, userId);
      return conversationId ? removed([conversationId], userId) : undefined;
    },
    // Their messages are erased as deleting them would (the rows stay, anonymized), they leave
    // every conversation, and a DIRECT conversation stays for the other side (it goes only once
    // nobody is left in it). No row keeps their id, the membership events applied included.
    'identity.user.deleted': async (event, tx) => {
      const { userId } = event.data;
      const erased = await messages.anonymizeSender(tx, userId, DELETED_USER_ID, now());
      await conversations.forgetDirectKeysOf(tx, userId);
      const left = await participants.removeUser(tx, userId);
      await participants.forgetMembershipEvents(tx, userId);
      await conversations.deleteAbandonedDirect(tx, left);
      return async () => {
        for (const message of erased) {
          await deps.hub.publish(
            conversationRoom(message.conversationId),
            MESSAGE_DELETED,
            messagePayload(message),
          );
        }
        await removed(left, userId)();
      };
    },
  };
}
