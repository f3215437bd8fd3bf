import { subgraphCodegen } from '@fitnexa/shared/codegen';

export default subgraphCodegen({
  contextType: '../context#MessagingContext',
  mappers: {
    User: '../data/references#UserReference',
    Squad: '../data/references#SquadReference',
    Conversation: '../data/conversations#ConversationView',
    Participant: '../data/participants#ParticipantRecord',
    Message: '../data/messages#MessageRecord',
    TypingEvent: '../domain/realtime#TypingPayload',
  },
});
