import { subgraphCodegen } from '@fitnexa/shared/codegen';

export default subgraphCodegen({
  contextType: '../context#SquadContext',
  mappers: {
    User: '../data/squads#UserReference',
    Gym: '../data/squads#GymReference',
    Squad: '../data/squads#SquadRecord',
    SquadMember: '../data/members#MemberRecord',
    JoinRequest: '../data/join-requests#JoinRequestRecord',
    SquadInvitation: '../data/invitations#InvitationRecord',
    Challenge: '../data/challenges#ChallengeRecord',
    LeaderboardEntry: '../data/progress#LeaderboardEntryRecord',
    SquadActivity: '../data/activities#ActivityRecord',
  },
});
