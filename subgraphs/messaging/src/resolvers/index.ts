import { DateTime } from '@fitnexa/shared/graphql';
import type { Resolvers } from '../generated/graphql';
import { Conversation } from './Conversation';
import { Message } from './Message';
import { Mutation } from './Mutation';
import { Participant } from './Participant';
import { Query } from './Query';
import { Squad } from './Squad';
import { Subscription } from './Subscription';
import { TypingEvent } from './TypingEvent';
import { User } from './User';

export const resolvers: Resolvers = {
  DateTime,
  Query,
  Mutation,
  Subscription,
  User,
  Squad,
  Conversation,
  Participant,
  Message,
  TypingEvent,
};
