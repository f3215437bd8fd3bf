import { createFitnexaClient } from '@fitnexa/client';
import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { GATEWAY_URL } from './config';
import './styles.css';
import { localStorageTokenStore } from './token-store';

const client = createFitnexaClient({ url: GATEWAY_URL, tokenStore: localStorageTokenStore() });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client.apollo}>
      <App client={client} />
    </ApolloProvider>
  </StrictMode>,
);
