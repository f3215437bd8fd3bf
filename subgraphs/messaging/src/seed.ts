import type { Logger } from '@fitnexa/shared/logger';
import type { EventHub } from '@fitnexa/shared/realtime';
import { DEMO_USERS } from '@fitnexa/shared/types';
import type { MessagingRepositories } from './data/repositories';
import type { SquadMembership } from './data/squad-membership';
import type { Caller } from './domain/access';
import { createUseCases } from './domain/use-cases';

const MINUTE_MS = 60_000;

const member: Caller = {
  principal: { userId: DEMO_USERS.member.id, role: DEMO_USERS.member.role },
  accessToken: null,
};
const coach: Caller = {
  principal: { userId: DEMO_USERS.coach.id, role: DEMO_USERS.coach.role },
  accessToken: null,
};

/** The demo chat, oldest first: who wrote what how many minutes ago, and who read up to there. */
const script: { from: Caller; minutesAgo: number; body: string; readBy?: Caller }[] = [
  {
    from: coach,
    minutesAgo: 26 * 60,
    body: "Welcome to FitNexa, Maya! I'm Carlos, your coach for the next few weeks.",
  },
  {
    from: member,
    minutesAgo: 25 * 60,
    body: "Thanks Carlos! I'd like to get stronger at squats and deadlifts.",
  },
  {
    from: coach,
    minutesAgo: 24 * 60,
    body: "Great goals. Let's start with three full-body sessions a week and build from there.",
    readBy: member,
  },
  {
    from: member,
    minutesAgo: 3 * 60,
    body: 'First session done, my legs are sore!',
    readBy: coach,
  },
  {
    from: coach,
    minutesAgo: 45,
    body: 'Well done! Sore is normal: rest tomorrow, and stretch before Thursday.',
  },
];

export interface DemoSeedDeps {
  repositories: MessagingRepositories;
  squadMembership: SquadMembership;
  hub: EventHub;
  logger: Logger;
}

/**
 * Gives the demo member a chat with the demo coach, once: only while there is no conversation.
 * The coach's last message is unread by the member. It goes through the same use cases as the
 * API, with a clock set back for the history.
 */
export async function seedDemoConversation(deps: DemoSeedDeps): Promise<boolean> {
  if (await deps.repositories.conversations.hasAny()) return false;
  const now = Date.now();
  let clock = new Date(now - (script[0]!.minutesAgo + 1) * MINUTE_MS);
  const { conversations, messages } = createUseCases({ ...deps, now: () => clock });

  const conversation = await conversations.startDirect(member, coach.principal.userId);
  for (const line of script) {
    clock = new Date(now - line.minutesAgo * MINUTE_MS);
    await messages.send(line.from, conversation.id, line.body);
    if (line.readBy) await conversations.markRead(line.readBy, conversation.id);
  }

  deps.logger.info('demo conversation seeded', {
    conversationId: conversation.id,
    memberId: member.principal.userId,
    coachId: coach.principal.userId,
    messages: script.length,
  });
  return true;
}
