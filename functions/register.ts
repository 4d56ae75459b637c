import { register } from '../lib/registration/register.js';
import { initialAccessTokensOf } from '../lib/runtime/initial-access-tokens.js';
import { routeHandler } from '../lib/runtime/route.js';
import { checkRegistrationPolicies } from '../lib/settings/policies-check.js';

// POST /as/clients.oauth2 (RFC 7591 registration): the event goes to lib/, the answer comes back (see infra/routes.ts).
// Only this route checks initial access tokens, so only its bundle carries their verifiers.
export const handler = routeHandler('register', register, {
  extras: ({ environment, documents }) => ({ initialAccessTokens: initialAccessTokensOf(environment, { documents }) }),
  settingsCheck: checkRegistrationPolicies,
});
