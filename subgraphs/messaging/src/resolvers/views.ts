import { connection, timeCursor, timePageRequest } from '@fitnexa/shared/graphql';
import type { MessagingContext } from '../context';
import type { ConversationRecord, ConversationView } from '../data/conversations';

/** A conversation as `readerId` reads it: its unread count is theirs. */
export const viewOf = (conversation: ConversationRecord, readerId: string): ConversationView => ({
  ...conversation,
  readerId,
});

/** A page of the user's conversations, most recent activity first, each read as theirs. */
export async function conversationPage(
  userId: string,
  args: { first?: number | null; after?: string | null },
  { loaders }: MessagingContext,
) {
  const { first, after } = timePageRequest(args);
  const rows = await loaders.conversationPage.load({
    userId,
    take: first + 1,
    after: after && { lastActivityAt: after.at, id: after.id },
  });
  return connection(
    rows.map((conversation) => viewOf(conversation, userId)),
    first,
    (conversation) => timeCursor(conversation.lastActivityAt, conversation.id),
  );
}
