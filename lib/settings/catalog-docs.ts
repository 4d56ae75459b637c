import type { Settings } from './catalog.js';

// PingFederate's label of each option of the settings catalogue (catalog.ts): the description of its
// SSM parameter (infra/settings-parameters.ts). Kept apart from the catalogue because every function
// loads that at its cold start and shows none of these; only infra and tests import this. The type
// asks for one label per setting, no more, no less.
export const SETTING_LABELS: { readonly [K in keyof Settings]: string } = {
  registrationEnabled: 'Enable Dynamic Client Registration',
  requireInitialAccessToken: 'Require Initial Access Token',
  initialAccessTokenScopes: 'Required scope or scope group (space-separated; the token needs one of them)',
  managementEnabled: 'Enable Dynamic Client Registration Management',
  rotateClientSecret: 'Rotate Client Secret',
  rotateRegistrationAccessToken: 'Rotate Registration Access Token',
  allowClientDelete: 'Allow Client Delete',
  extendedProperties: 'Extended properties: JSON array of {"name": "...", "multiValued": true|false}',
  registrationPolicies: 'Client registration policies: JSON {"anonymous": [...], "authenticated": [...], "named": {...}, "caps": {...}}',
  registrationAccessTokenGraceSeconds:
    'Registration Access Token Grace (seconds; 0 = off): the previous token recovers a lost answer until the new one is used',
  clientSecretRetentionSeconds:
    'Client Secret Retention (seconds; 0 = off): a rotated-away secret still authenticates the client for this long',
  clientSecretLifetimeSeconds: 'Client Secret Lifetime (seconds; 0 = never): client_secret_expires_at of newly issued secrets',
  clientIdleLifetimeSeconds: 'Client Idle Lifetime (seconds; 0 = never): a client unused for this long is deleted',
  allowNonPublicServerUris:
    'Allow loopback and private hosts in the URIs the authorization server calls (jwks_uri, request_uris, ...; development only)',
  clientIdMetadataDocumentsEnabled:
    'Client ID Metadata Documents: the client directory accepts https URL client_ids and fetches their metadata',
  clientIdMetadataDocumentHosts: 'Client ID Metadata Document hosts (space-separated host or .suffix; * = any public host)',
};
