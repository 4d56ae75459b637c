import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { composeInitialAccessTokenVerifiers, type InitialAccessTokenForms } from '../../lib/tokens/composite-verifier.js';
import type { InitialAccessTokenVerifier, VerifiedAccessToken } from '../../lib/tokens/initial-access-token.js';
import { newServiceToken } from '../../lib/tokens/service-token.js';

// Routing only: each form's verifier is a stand-in that records the tokens it was given.

class Recorder implements InitialAccessTokenVerifier {
  readonly seen: string[] = [];
  constructor(private readonly name: string) {}
  async verify(token: string): Promise<VerifiedAccessToken> {
    this.seen.push(token);
    return { scopes: [this.name], claims: {} };
  }
}

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const UNSIGNED_JWT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
const OPAQUE = 'a1B2c3D4e5F6-opaque~token';
const SERVICE = newServiceToken().token;
const MALFORMED_SERVICE = 'dcriat_not-well-formed';

function compose(names: (keyof InitialAccessTokenForms)[]) {
  const recorders = { service: new Recorder('service'), jwt: new Recorder('jwt'), introspection: new Recorder('introspection') };
  const forms = Object.fromEntries(names.map((name) => [name, recorders[name]]));
  return { verifier: composeInitialAccessTokenVerifiers(forms), recorders };
}

async function routeOf(names: (keyof InitialAccessTokenForms)[], token: string): Promise<string> {
  const { verifier } = compose(names);
  try {
    return (await verifier!.verify(token)).scopes[0]!;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistrationError);
    const refusal = error as RegistrationError;
    expect({ status: refusal.status, error: refusal.error }).toEqual({ status: 401, error: 'invalid_token' });
    expect(refusal.description).toMatch(/^this kind of initial access token is not accepted here/);
    return 'refused';
  }
}

describe('composite initial access token verifier', () => {
  it('is absent when no form is configured (required tokens then get the 503)', () => {
    expect(compose([]).verifier).toBeUndefined();
  });

  it.each<[string, (keyof InitialAccessTokenForms)[], string, string]>([
    ['a dcriat_ token goes to the service tokens', ['service', 'jwt', 'introspection'], SERVICE, 'service'],
    [
      'a malformed dcriat_ token still goes to the service tokens (they say why)',
      ['service', 'introspection'],
      MALFORMED_SERVICE,
      'service',
    ],
    ['a dcriat_ token is refused without service tokens, never sent to introspection', ['jwt', 'introspection'], SERVICE, 'refused'],
    ['a JWT goes to the JWT verifier when an issuer is configured', ['service', 'jwt', 'introspection'], JWT, 'jwt'],
    ['an unsigned JWT goes to the JWT verifier (which refuses it with its reason)', ['jwt', 'introspection'], UNSIGNED_JWT, 'jwt'],
    ['a JWT goes to introspection when no issuer is configured', ['service', 'introspection'], JWT, 'introspection'],
    ['an opaque token goes to introspection', ['service', 'jwt', 'introspection'], OPAQUE, 'introspection'],
    ['an opaque token is refused with only JWTs configured', ['jwt'], OPAQUE, 'refused'],
    ['an opaque token is refused with only service tokens configured', ['service'], OPAQUE, 'refused'],
    ['a JWT is refused with only service tokens configured', ['service'], JWT, 'refused'],
  ])('%s', async (_what, configured, token, expected) => {
    expect(await routeOf(configured, token)).toBe(expected);
  });

  it('tries a token against one verifier only', async () => {
    const { verifier, recorders } = compose(['service', 'jwt', 'introspection']);

    await verifier!.verify(JWT);
    await verifier!.verify(OPAQUE);
    await verifier!.verify(SERVICE);

    expect({ jwt: recorders.jwt.seen, introspection: recorders.introspection.seen, service: recorders.service.seen }).toEqual({
      jwt: [JWT],
      introspection: [OPAQUE],
      service: [SERVICE],
    });
  });

  it('names the accepted forms when it refuses a token', async () => {
    const { verifier } = compose(['jwt', 'service']);

    const error = (await verifier!.verify(OPAQUE).catch((reason: unknown) => reason)) as RegistrationError;

    expect(error.description).toBe(
      'this kind of initial access token is not accepted here (accepted: a JWT of the authorization server, a token issued by this service)',
    );
  });
});
