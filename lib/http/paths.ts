// Public paths of the API (PingFederate's): shared by the use cases (registration_client_uri) and the route table.
export const REGISTRATION_PATH = '/as/clients.oauth2';
export const CLIENT_PATH = `${REGISTRATION_PATH}/{clientId}`;

export function clientUri(baseUrl: string, clientId: string): string {
  return `${baseUrl}${REGISTRATION_PATH}/${encodeURIComponent(clientId)}`;
}
