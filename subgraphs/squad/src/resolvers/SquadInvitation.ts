import type { SquadInvitationResolvers } from '../generated/graphql';
import { squadOf } from './visibility';

export const SquadInvitation: SquadInvitationResolvers = {
  // The invitee sees what they are invited to (the squad's inside stays closed; see requireInside).
  squad: (invitation, _, context) => squadOf(context, invitation.squadId),

  invitedBy: (invitation) => ({ id: invitation.invitedById }),
};
