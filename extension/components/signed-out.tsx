/** Shown when there is no session: explains what signing in does and offers the one button. */
export function SignedOut(props: { issuer: string; hasPermission: boolean; busy: boolean; onSignIn: () => void; onOptions: () => void }) {
  return (
    <div class="signed-out">
      <h2>Sign in to Latchkey</h2>
      <p>
        See your account's security status, your databases, devices and API keys. You will sign in at <code>{props.issuer}</code>.
      </p>
      {!props.hasPermission && <p class="muted">Your browser will first ask to let Latchkey connect to that address.</p>}
      <button type="button" class="primary" disabled={props.busy} onClick={props.onSignIn}>
        {props.busy ? 'Signing in…' : 'Sign in'}
      </button>{' '}
      <button type="button" class="link" onClick={props.onOptions}>
        Use another server
      </button>
    </div>
  );
}
