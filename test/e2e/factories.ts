// Test data made through the gateway, as clients make it: small factories, fresh rows per test.
import type { Graph, SignedIn } from './support';

/** A gym owner's "Iron Temple" in Berlin with a "Monthly" plan. */
export async function aGymWithPlan(graph: Graph) {
  const owner = await graph.signUp('GYM_OWNER');
  const { createGym: gym } = await graph.as(
    owner.token,
    'mutation G($input: CreateGymInput!) { createGym(input: $input) { id } }',
    {
      input: {
        name: 'Iron Temple',
        address: 'Torstraße 1, Berlin',
        location: { lat: 52.53, lng: 13.41 },
      },
    },
  );
  const { createMembershipPlan: plan } = await graph.as(
    owner.token,
    'mutation P($input: CreateMembershipPlanInput!) { createMembershipPlan(input: $input) { id } }',
    {
      input: {
        gymId: gym.id,
        name: 'Monthly',
        priceCents: 3900,
        currency: 'EUR',
        period: 'MONTHLY',
      },
    },
  );
  return { owner, gymId: gym.id as string, planId: plan.id as string };
}

/** A public squad "Dawn Patrol" founded by `owner`. */
export async function aSquad(graph: Graph, owner: SignedIn): Promise<string> {
  const { createSquad } = await graph.as(
    owner.token,
    'mutation C($input: CreateSquadInput!) { createSquad(input: $input) { id } }',
    { input: { name: 'Dawn Patrol', visibility: 'PUBLIC' } },
  );
  return createSquad.id;
}

export async function joinSquad(graph: Graph, user: SignedIn, squadId: string): Promise<void> {
  await graph.as(user.token, 'mutation J($id: ID!) { joinSquad(squadId: $id) { role } }', {
    id: squadId,
  });
}

/** The squad's group chat, as a member reaches it through the gateway (squad → messaging). */
export async function squadChatOf(graph: Graph, user: SignedIn, squadId: string): Promise<string> {
  const { squad } = await graph.as(
    user.token,
    'query Q($id: ID!) { squad(id: $id) { conversation { id } } }',
    { id: squadId },
  );
  return squad.conversation.id;
}

/** Alice's squad, which Bob joined, and its chat. */
export async function aSquadOfTwo(graph: Graph) {
  const alice = await graph.signUp();
  const bob = await graph.signUp();
  const squadId = await aSquad(graph, alice);
  await joinSquad(graph, bob, squadId);
  return { alice, bob, squadId, conversationId: await squadChatOf(graph, alice, squadId) };
}

/** Sends a message through the gateway; its id. */
export async function send(
  graph: Graph,
  user: SignedIn,
  conversationId: string,
  body: string,
): Promise<string> {
  const { sendMessage } = await graph.as(
    user.token,
    'mutation S($id: ID!, $body: String!) { sendMessage(conversationId: $id, body: $body) { id } }',
    { id: conversationId, body },
  );
  return sendMessage.id;
}
