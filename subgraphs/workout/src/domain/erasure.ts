import { isUuid } from '@fitnexa/shared/db';
import type { EventHandler } from '@fitnexa/shared/events';
import type { Logger } from '@fitnexa/shared/logger';
import type { PersonalRecordRepository } from '../data/personal-records';
import type { SessionRepository } from '../data/sessions';
import type { TemplateRepository } from '../data/templates';
import type { WorkoutTransaction } from '../db';

export interface ErasureDeps {
  sessions: SessionRepository;
  records: PersonalRecordRepository;
  templates: TemplateRepository;
  logger: Logger;
}

/**
 * `identity.user.deleted`: deletes everything workout holds of the person, in the event's
 * transaction: their personal records, their sessions (an unfinished one included) with their
 * sets, and their templates. A training log is nothing but personal (health-related) data, and
 * nothing else here depends on it, so it is deleted rather than kept anonymised.
 *
 * Nothing in the cache holds a user's data (it holds the exercise catalogue only; sessions,
 * records, templates and stats are read per request), so there is nothing to invalidate. After the
 * commit it logs what was erased.
 */
export function eraseDeletedUser(
  deps: ErasureDeps,
): EventHandler<'identity.user.deleted', WorkoutTransaction> {
  return async (event, tx) => {
    const { userId } = event.data;
    // Not an id workout could hold anything under.
    if (!isUuid(userId)) return;
    // Records first: they point at the sets deleting the sessions removes.
    const records = await deps.records.deleteOfUser(tx, userId);
    const sessions = await deps.sessions.deleteOfUser(tx, userId);
    const templates = await deps.templates.deleteOfUser(tx, userId);
    return () => {
      deps.logger.info("deleted user's workout data erased", {
        userId,
        sessions,
        personalRecords: records,
        templates,
      });
    };
  };
}
