import type { Recommendation, SecurityStatus } from '../../shared/account-api.ts';
import { buildSecurityChecks } from './security-checks.ts';

/** The security overview: one row per check, each with what to do and a link to the portal. */
export function SecurityStatusView(props: {
  status: SecurityStatus;
  fetchedAt: number;
  onOpenPortal: (href: string) => void;
}) {
  const checks = buildSecurityChecks(props.status);
  return (
    <div>
      <p class="muted">
        {props.status.email} · updated <time dateTime={new Date(props.fetchedAt).toISOString()}>{new Date(props.fetchedAt).toLocaleTimeString()}</time>
      </p>
      <ul class="checks" aria-label="Security checks">
        {checks.map((check) => (
          <li key={check.id} class={`check check-${check.ok ? 'ok' : 'warn'}`}>
            <span class="check-icon" aria-hidden="true">
              {check.ok ? '✓' : '!'}
            </span>
            <div>
              <strong>{check.label}</strong>
              <span class="visually-hidden">{check.ok ? ' (fine)' : ' (needs attention)'}</span>
              <div>{check.value}</div>
              {check.advice && <Advice advice={check.advice} onOpenPortal={props.onOpenPortal} />}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Advice(props: { advice: Recommendation; onOpenPortal: (href: string) => void }) {
  return (
    <div class="advice">
      {props.advice.message}{' '}
      <button type="button" class="link" onClick={() => props.onOpenPortal(props.advice.href)}>
        Fix this
      </button>
    </div>
  );
}
