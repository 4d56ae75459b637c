import { apiHandler } from '../lib/http/api-handler.js';
import { resolveUseCase } from '../lib/runtime.js';

// DELETE /as/clients.oauth2/{clientId} (RFC 7592 deprovision): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = apiHandler('delete', resolveUseCase('delete'));
