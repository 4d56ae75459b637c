import { apiHandler } from '../lib/http/api-handler.js';
import { resolveUseCase } from '../lib/runtime.js';

// GET /as/clients.oauth2/{clientId} (RFC 7592 read): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = apiHandler('read', resolveUseCase('read'));
