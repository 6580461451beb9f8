import { useState } from 'preact/hooks';

/** Token sign-in, for a page opened without the link `landfall up` prints (which signs in by itself). */
export function SignIn({
  initial,
  error,
  onSignIn,
}: {
  initial: string;
  error: string;
  onSignIn: (t: string) => void;
}) {
  const [token, setToken] = useState(initial);
  return (
    <form
      class="card signin"
      data-testid="signin"
      onSubmit={(e) => {
        e.preventDefault();
        onSignIn(token);
      }}
    >
      <h2>Landfall</h2>
      <p class="muted">
        Sign in with a token: the dashboard link <code>landfall up</code> prints in paper mode signs
        in by itself; <code>landfall token --role viewer</code> mints one.
      </p>
      <textarea
        data-testid="token-input"
        rows={4}
        value={token}
        placeholder="eyJhbGciOi…"
        onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
      />
      <button type="submit" data-testid="signin-button" disabled={token.trim() === ''}>
        Sign in
      </button>
      {error ? (
        <p class="error" data-testid="signin-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
