/** Every passkey route, for the route table (route-table.ts); fixed paths before the `:id` ones of the same shape. */
import { passkeyScript } from './static-script.ts';
import { passkeyRegistrationOptions } from './registration-options.ts';
import { passkeyReauthOptions } from './reauth-options.ts';
import { addPasskey } from './passkey-add.tsx';
import { renamePasskey } from './passkey-rename.ts';
import { deletePasskey } from './passkey-delete.ts';
import { passkeySignInOptions } from './sign-in-options.ts';
import { signInWithPasskey } from './sign-in.ts';

/** Sign-in (interaction) routes. */
export const passkeySignInRoutes = [passkeySignInOptions, signInWithPasskey];
/** Connection & Security routes and the script. */
export const passkeyPortalRoutes = [passkeyRegistrationOptions, passkeyReauthOptions, addPasskey, renamePasskey, deletePasskey, passkeyScript];
