import {
  MessageAddedDocument,
  MessagesDocument,
  SendMessageDocument,
  SquadDocument,
  type ChatMessageFragment,
} from '@fitnexa/client';
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';

export function ChatPage({ squadId, onBack }: { squadId: string; onBack(): void }) {
  const squad = useQuery(SquadDocument, { variables: { id: squadId } });
  const conversationId = squad.data?.squad?.conversation?.id;
  const history = useQuery(MessagesDocument, {
    variables: { conversationId: conversationId ?? '' },
    skip: !conversationId,
    fetchPolicy: 'network-only',
  });
  // Messages that arrived live (the subscription) or were sent from here, after the history.
  const [live, setLive] = useState<ChatMessageFragment[]>([]);
  const append = (message: ChatMessageFragment) =>
    setLive((messages) =>
      messages.some(({ id }) => id === message.id) ? messages : [...messages, message],
    );
  useSubscription(MessageAddedDocument, {
    variables: { conversationId: conversationId ?? '' },
    skip: !conversationId,
    onData: ({ data }) => {
      if (data.data) append(data.data.messageAdded);
    },
  });
  const [sendMessage, sending] = useMutation(SendMessageDocument);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = String(new FormData(form).get('body')).trim();
    if (!body || !conversationId) return;
    const { data } = await sendMessage({ variables: { conversationId, body } });
    if (data) append(data.sendMessage);
    form.reset();
  }

  const earlier = history.data?.messages.edges.map(({ node }) => node) ?? [];
  const messages = [...earlier, ...live.filter(({ id }) => !earlier.some((m) => m.id === id))];
  return (
    <section data-testid="chat">
      <button type="button" data-testid="back-to-dashboard" onClick={onBack}>
        ← Dashboard
      </button>
      <h2 data-testid="chat-title">{squad.data?.squad?.name ?? 'Squad'} chat</h2>
      {squad.error && <p role="alert">{squad.error.message}</p>}
      {squad.data && !conversationId && <p>This squad has no conversation yet.</p>}
      <ol data-testid="chat-messages">
        {messages.map((message) => (
          <li key={message.id} data-testid="chat-message">
            <strong>{message.sender.displayName}</strong>: {message.body ?? <em>deleted</em>}
          </li>
        ))}
      </ol>
      <form data-testid="chat-form" onSubmit={(event) => void submit(event)}>
        <input name="body" maxLength={4000} placeholder="Message" data-testid="chat-input" />
        <button type="submit" disabled={!conversationId || sending.loading} data-testid="chat-send">
          Send
        </button>
      </form>
    </section>
  );
}
