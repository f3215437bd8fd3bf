import { errorCodeOf } from '@fitnexa/client';
import { useState, type FormEvent } from 'react';

export function LoginPage({
  onLogIn,
}: {
  onLogIn(email: string, password: string): Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await onLogIn(String(form.get('email')), String(form.get('password')));
    } catch (failure) {
      setError(
        errorCodeOf(failure) === 'UNAUTHENTICATED'
          ? 'Wrong email or password.'
          : 'The FitNexa API could not be reached.',
      );
      setBusy(false);
    }
  }

  return (
    <main>
      <h1>FitNexa</h1>
      <form data-testid="login-form" onSubmit={(event) => void submit(event)}>
        <label>
          Email
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            data-testid="login-email"
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            data-testid="login-password"
          />
        </label>
        <button type="submit" disabled={busy} data-testid="login-submit">
          Log in
        </button>
        {error && (
          <p role="alert" data-testid="login-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
