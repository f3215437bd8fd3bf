import { entityFields, aUser, dataOf, type TestUser } from '@fitnexa/shared/testing';
import type { GraphQLResult, TestMessaging } from './harness';

// Small factories over the public API: test data is made the way clients make it.

export { aUser, dataOf, type TestUser };

export const CONVERSATION_FIELDS =
  'id kind squad { id } participants { user { id } joinedAt lastReadAt lastReadMessage { id } } lastMessage { id body } unreadCount lastActivityAt createdAt';

export const MESSAGE_FIELDS = 'id conversationId sender { id } body sentAt editedAt deletedAt';

export function startDirectConversation(
  messaging: TestMessaging,
  user: TestUser | undefined,
  userId: string,
): Promise<GraphQLResult> {
  return messaging.graphql(
    `mutation S($userId: ID!) { startDirectConversation(userId: $userId) { ${CONVERSATION_FIELDS} } }`,
    { userId },
    user?.token,
  );
}

/** Two users and their DIRECT conversation. */
export async function aDirectConversation(messaging: TestMessaging) {
  const [first, second] = [await aUser(messaging), await aUser(messaging)];
  const conversation = dataOf(await startDirectConversation(messaging, first, second.id));
  return { first, second, conversationId: conversation.id as string };
}

export function sendMessage(
  messaging: TestMessaging,
  user: TestUser | undefined,
  conversationId: string,
  body: string,
): Promise<GraphQLResult> {
  return messaging.graphql(
    `mutation M($conversationId: ID!, $body: String!) { sendMessage(conversationId: $conversationId, body: $body) { ${MESSAGE_FIELDS} } }`,
    { conversationId, body },
    user?.token,
  );
}

export async function aMessage(
  messaging: TestMessaging,
  user: TestUser,
  conversationId: string,
  body = 'Hello!',
): Promise<{ id: string; body: string; sentAt: string }> {
  return dataOf(await sendMessage(messaging, user, conversationId, body));
}

export function editMessage(
  messaging: TestMessaging,
  user: TestUser | undefined,
  id: string,
  body: string,
): Promise<GraphQLResult> {
  return messaging.graphql(
    `mutation E($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { ${MESSAGE_FIELDS} } }`,
    { id, body },
    user?.token,
  );
}

export function deleteMessage(
  messaging: TestMessaging,
  user: TestUser | undefined,
  id: string,
): Promise<GraphQLResult> {
  return messaging.graphql(
    `mutation D($id: ID!) { deleteMessage(id: $id) { ${MESSAGE_FIELDS} } }`,
    { id },
    user?.token,
  );
}

export function markRead(
  messaging: TestMessaging,
  user: TestUser | undefined,
  conversationId: string,
  upToMessageId?: string,
): Promise<GraphQLResult> {
  return messaging.graphql(
    `mutation R($conversationId: ID!, $upTo: ID) { markConversationRead(conversationId: $conversationId, upToMessageId: $upTo) { ${CONVERSATION_FIELDS} } }`,
    { conversationId, upTo: upToMessageId },
    user?.token,
  );
}

export function readConversation(
  messaging: TestMessaging,
  user: TestUser | undefined,
  id: string,
): Promise<GraphQLResult> {
  return messaging.graphql(
    `query C($id: ID!) { conversation(id: $id) { ${CONVERSATION_FIELDS} } }`,
    { id },
    user?.token,
  );
}

export function readMessages(
  messaging: TestMessaging,
  user: TestUser | undefined,
  conversationId: string,
  page: { last?: number; before?: string | null } = {},
): Promise<GraphQLResult> {
  return messaging.graphql(
    `query P($conversationId: ID!, $last: Int, $before: String) {
       messages(conversationId: $conversationId, last: $last, before: $before) {
         edges { cursor node { ${MESSAGE_FIELDS} } }
         pageInfo { hasPreviousPage startCursor }
       }
     }`,
    { conversationId, ...page },
    user?.token,
  );
}

export function readConversations(
  messaging: TestMessaging,
  user: TestUser | undefined,
  page: { first?: number; after?: string | null } = {},
): Promise<GraphQLResult> {
  return messaging.graphql(
    `query L($first: Int, $after: String) {
       conversations(first: $first, after: $after) {
         edges { cursor node { ${CONVERSATION_FIELDS} } }
         pageInfo { hasNextPage endCursor }
       }
     }`,
    page,
    user?.token,
  );
}

/** A user's fields as another subgraph (or the gateway) asks for them: through `_entities`. */
export function userFields(
  messaging: TestMessaging,
  userIds: string[],
  selection: string,
  token?: string,
): Promise<GraphQLResult> {
  return entityFields(messaging.graphql, 'User', userIds, selection, { token });
}

/** A squad's conversation as the gateway asks for it: through `_entities`. */
export function squadConversation(
  messaging: TestMessaging,
  user: TestUser | undefined,
  squadId: string,
): Promise<GraphQLResult> {
  return entityFields(
    messaging.graphql,
    'Squad',
    [squadId],
    `id conversation { ${CONVERSATION_FIELDS} }`,
    {
      token: user?.token,
    },
  );
}

/**
 * Stores `count` messages (`body`) as MessageRepository.send stores them, without the publish that
 * follows: what an instance killed between its commit and its publish leaves. Their ids, in order.
 */
export async function storedUnpublished(
  messaging: TestMessaging,
  conversationId: string,
  senderId: string,
  { body = 'unpublished', count = 1 }: { body?: string; count?: number } = {},
): Promise<string[]> {
  const rows = (await messaging.sql(
    `WITH next AS (UPDATE "Conversation" SET "lastSequence" = "lastSequence" + $4
                    WHERE "id" = $1 RETURNING "lastSequence")
     INSERT INTO "Message" ("id", "conversationId", "senderId", "body", "sentAt", "sequence")
     SELECT gen_random_uuid(), $1, $2, $3, now(), next."lastSequence" - $4 + n
       FROM next, generate_series(1, $4::int) AS n
     RETURNING "id", "sequence"`,
    [conversationId, senderId, body, count],
  )) as { id: string; sequence: number }[];
  return rows.sort((a, b) => a.sequence - b.sequence).map((row) => row.id);
}
