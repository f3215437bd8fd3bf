import type { TokenStore, Tokens } from '@fitnexa/client';

const KEY = 'fitnexa.session';

/** The session in localStorage: a reload keeps the member signed in. */
export function localStorageTokenStore(): TokenStore {
  return {
    get() {
      const stored = localStorage.getItem(KEY);
      return stored === null ? null : (JSON.parse(stored) as Tokens);
    },
    set(tokens) {
      if (tokens === null) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, JSON.stringify(tokens));
    },
  };
}
