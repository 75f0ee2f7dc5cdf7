import { dateScalars } from '@traveloure/platform';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Conversation } from './Conversation.ts';
import { Expert } from './Expert.ts';
import { ItinerarySuggestion } from './ItinerarySuggestion.ts';
import { Message } from './Message.ts';
import { Trip } from './Trip.ts';
import { conversation } from './Query/conversation.ts';
import { experts } from './Query/experts.ts';
import { itinerarySuggestion } from './Query/itinerarySuggestion.ts';
import { myConversations } from './Query/myConversations.ts';
import { planItinerary } from './Mutation/planItinerary.ts';
import { replyAsExpert } from './Mutation/replyAsExpert.ts';
import { sendMessage } from './Mutation/sendMessage.ts';
import { startConversation } from './Mutation/startConversation.ts';

export const resolvers: Resolvers = {
  ...dateScalars(),
  Query: { itinerarySuggestion, experts, conversation, myConversations },
  Mutation: { planItinerary, startConversation, sendMessage, replyAsExpert },
  Trip,
  ItinerarySuggestion,
  Expert,
  Conversation,
  Message,
};
