import type { ActivityRepository } from './activities';
import type { ChallengeRepository } from './challenges';
import type { InvitationRepository } from './invitations';
import type { JoinRequestRepository } from './join-requests';
import type { MemberRepository } from './members';
import type { ProgressRepository } from './progress';
import type { SquadRepository } from './squads';

/** The repositories of the service, as the domain and the loaders use them. */
export interface SquadRepositories {
  squads: SquadRepository;
  members: MemberRepository;
  joinRequests: JoinRequestRepository;
  invitations: InvitationRepository;
  challenges: ChallengeRepository;
  progress: ProgressRepository;
  activities: ActivityRepository;
}
