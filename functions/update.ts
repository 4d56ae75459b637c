import { apiHandler } from '../lib/http/api-handler.js';
import { resolveUseCase } from '../lib/runtime.js';

// PUT /as/clients.oauth2/{clientId} (RFC 7592 update): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = apiHandler('update', resolveUseCase('update'));
