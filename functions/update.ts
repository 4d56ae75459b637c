import { update } from '../lib/registration/update.js';
import { routeHandler } from '../lib/runtime/route.js';
import { checkRegistrationPolicies } from '../lib/settings/policies-check.js';

// PUT /as/clients.oauth2/{clientId} (RFC 7592 update): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = routeHandler('update', update, { settingsCheck: checkRegistrationPolicies });
