import { register } from '../lib/registration/register.js';
import { initialAccessTokensOnFirstUse } from '../lib/runtime/initial-access-token-forms.js';
import { routeHandler } from '../lib/runtime/route.js';
import { checkRegistrationPolicies } from '../lib/settings/policies-check.js';

// POST /as/clients.oauth2 (RFC 7591 registration): the event goes to lib/, the answer comes back (see infra/routes.ts).
// Only this route checks initial access tokens, so only its bundle carries their verifiers (loaded by the first token).
export const handler = routeHandler('register', register, {
  extras: ({ environment, documents }) => ({ initialAccessTokens: initialAccessTokensOnFirstUse(environment, { documents }) }),
  settingsCheck: checkRegistrationPolicies,
});
