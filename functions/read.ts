import { read } from '../lib/registration/read.js';
import { routeHandler } from '../lib/runtime/route.js';

// GET /as/clients.oauth2/{clientId} (RFC 7592 read): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = routeHandler('read', read);
