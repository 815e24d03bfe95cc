/**
 * Operator commands for sessions (part of the `idp` command table): support signs a person out of every
 * device (ASVS 7.4.5), e.g. after a stolen laptop or an account takeover reported by phone.
 *
 * It ends what "Log out from all devices" ends, and the current device too, through the same session
 * service (security/session-service.ts `endAllSessions`): every session (in the store, or in Redis when
 * IDP_REDIS_URL is set), every grant with its refresh and access tokens, and a back-channel logout to
 * each database that had a session. A running IdP reads sessions from the store on every request, so it
 * sees them ended at once. The logout tokens are signed by a provider built here on the store's keys,
 * for IDP_ISSUER (the running IdP's issuer).
 */
import { accountOption, requireAccountByEmail, withServices, type Command } from './context.ts';
import { reasonOption, supportReason } from './support-reason.ts';

export const sessionCommands: Command[] = [
  {
    name: 'session end',
    summary: 'Support: sign an account out of every device at once (sessions, grants and tokens end; databases are told by back-channel logout). Shown in its security activity with the reason, and mailed to it.',
    options: {
      account: accountOption,
      reason: reasonOption,
    },
    run: (values, config) =>
      withServices(config, async (services) => {
        const reason = supportReason(values.reason);
        const account = await requireAccountByEmail(services, values.account);
        // Back-channel logout goes through oidc-provider: build it (no provider, nobody would be told).
        await services.providers.ready();
        const { sessions, notified } = await services.security.sessions.endAllSessions(account.id, { actor: 'operator', reason });
        await services.activity.tellAboutSupportAction(account, `signed you out of every device (${sessions})`, reason);
        return { account: account.email, ended: sessions, notified };
      }),
  },
];
