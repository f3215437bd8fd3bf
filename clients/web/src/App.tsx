import type { FitnexaClient } from '@fitnexa/client';
import { useEffect, useState } from 'react';
import { ChatPage } from './ChatPage';
import { DashboardPage } from './DashboardPage';
import { LoginPage } from './LoginPage';

type View = { page: 'dashboard' } | { page: 'chat'; squadId: string };

export function App({ client }: { client: FitnexaClient }) {
  const [signedIn, setSignedIn] = useState<boolean | null>(null);
  const [view, setView] = useState<View>({ page: 'dashboard' });

  useEffect(() => {
    void client.session.accessToken().then((token) => setSignedIn(token !== null));
  }, [client]);

  if (signedIn === null) return null;
  if (!signedIn) {
    return (
      <LoginPage
        onLogIn={async (email, password) => {
          await client.logIn({ email, password });
          setView({ page: 'dashboard' });
          setSignedIn(true);
        }}
      />
    );
  }
  const logOut = async () => {
    setSignedIn(false);
    await client.logOut();
  };
  return (
    <main>
      <header>
        <h1>FitNexa</h1>
        <button type="button" data-testid="log-out" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      {view.page === 'dashboard' ? (
        <DashboardPage onOpenChat={(squadId) => setView({ page: 'chat', squadId })} />
      ) : (
        <ChatPage squadId={view.squadId} onBack={() => setView({ page: 'dashboard' })} />
      )}
    </main>
  );
}
