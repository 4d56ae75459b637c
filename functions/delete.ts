import { deleteClient } from '../lib/registration/delete.js';
import { routeHandler } from '../lib/runtime/route.js';

// DELETE /as/clients.oauth2/{clientId} (RFC 7592 deprovision): the event goes to lib/, the answer comes back (see infra/routes.ts).
export const handler = routeHandler('delete', deleteClient);
