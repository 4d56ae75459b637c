// Values a client gets when it does not send the field (RFC 7591 §2; grant and response types are
// resolved in grant-response.ts because they depend on each other).
export const DEFAULTS: Readonly<Record<string, unknown>> = {
  token_endpoint_auth_method: 'client_secret_basic',
};

export function withDefaults(metadata: Record<string, unknown>): Record<string, unknown> {
  for (const [field, value] of Object.entries(DEFAULTS)) {
    if (metadata[field] === undefined) metadata[field] = value;
  }
  return metadata;
}
