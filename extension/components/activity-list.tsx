/** Recent sign-ins, newest first; every one that is not this browser offers "This wasn't me". */
import type { ActivityEvent } from '../lib/activity.ts';

const when = (iso: string) => new Date(iso).toLocaleString();
const what = (event: ActivityEvent) => (event.kind === 'sign_in' ? 'Signed in' : event.kind.replaceAll('_', ' '));

export function ActivityList(props: { events: ActivityEvent[]; fromDevices: boolean; lockdownHref: string | null; onLockdown: () => void }) {
  if (props.events.length === 0) return <p class="muted">No recent activity.</p>;
  return (
    <div>
      {props.fromDevices && <p class="muted small">Sign-ins of the devices still signed in to your account.</p>}
      <ul class="rows" aria-label="Recent activity">
        {props.events.map((event) => (
          <li key={event.id} class="row row-wrap">
            <div class="row-main">
              <strong>
                {what(event)}: {event.browser} on {event.os}
                {event.current && <span class="tag">this device</span>}
                {event.newDevice && <span class="tag tag-warn">new device</span>}
              </strong>
              <span class="muted">
                <time dateTime={event.at}>{when(event.at)}</time> · {event.ip ?? 'unknown IP'}
              </span>
            </div>
            {!event.current && props.lockdownHref && (
              <a
                class="danger-link"
                href={props.lockdownHref}
                target="_blank"
                rel="noreferrer"
                onClick={(e) => {
                  e.preventDefault();
                  props.onLockdown();
                }}
              >
                This wasn't me
                <span class="visually-hidden">: {event.browser} on {event.os}, {when(event.at)}</span>
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
