import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const DEV_ISSUER_JWKS_PATH = '/.well-known/jwks.json';

export interface DevIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly jwks: { keys: JWK[] };
  /** A signed initial access token; lifetime in seconds. */
  mint(claims: { scope?: string; sub?: string; aud?: string }, lifetimeSeconds?: number): Promise<string>;
}

/**
 * A development authorization server for local mode: a fresh ES256 key pair per start, its JWKS
 * served by the local server, and initial access tokens signed with it. Never used in AWS.
 */
export async function createDevIssuer(baseUrl: string): Promise<DevIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    issuer: baseUrl,
    jwksUri: `${baseUrl}${DEV_ISSUER_JWKS_PATH}`,
    jwks: { keys: [jwk] },
    mint: ({ scope, sub = 'local-developer', aud }, lifetimeSeconds = 24 * 3600) => {
      const jwt = new SignJWT(scope === undefined ? {} : { scope })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(baseUrl)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .setJti(crypto.randomUUID());
      if (aud) jwt.setAudience(aud);
      return jwt.sign(privateKey);
    },
  };
}
