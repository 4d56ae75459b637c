import { apiHandler } from '../lib/http/api-handler.js';
import { resolveUseCase } from '../lib/runtime.js';

// POST /as/clients.oauth2 (RFC 7591 registration): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = apiHandler('register', resolveUseCase('register'));
