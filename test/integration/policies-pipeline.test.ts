import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// The registration policy pipeline: which lists run (anonymous, authenticated, lists a token names in
// its dcr_policies claim), on POST and again on PUT; a refused configuration answers 503 and never
// half-applies.

const TRUSTED_KID = 'pipeline-test';
const PARTNER = 'https://app.partner.example/cb';
const OTHER = 'https://elsewhere.example/cb';

const CONFIG = {
  anonymous: [{ policy: 'scopes', allowed: ['public'], default: ['public'] }],
  authenticated: [{ policy: 'scopes', allowed: ['public', 'internal'], default: ['internal'] }],
  named: {
    'partner-x': [{ policy: 'trusted-redirect-hosts', hosts: ['.partner.example'] }],
    'partner-y': [{ policy: 'scopes', default: ['partner-y'], allowed: ['internal', 'partner-y'] }],
  },
};

describe('registration policy pipeline', () => {
  let signingKey: CryptoKey;
  const h = useHarness(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    return {
      trustedKeys: [{ ...(await exportJWK(pair.publicKey)), kid: TRUSTED_KID, alg: 'ES256' }],
      settings: { registrationPolicies: JSON.stringify(CONFIG) },
    };
  });

  /** An initial access token with any claims (dcr_policies above all). */
  const tokenWith = (claims: JWTPayload) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: h.issuer.issuer, sub: 'team-a', scope: 'dcr:register', iat: now, exp: now + 600, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: TRUSTED_KID })
      .sign(signingKey);
  };
  const post = async (body: Record<string, unknown>, claims?: JWTPayload) =>
    h.call('POST', REGISTRATION_PATH, { body, token: claims ? await tokenWith(claims) : undefined });
  const put = (client: Answer, metadata: Record<string, unknown>, token = client.body.registration_access_token) =>
    h.call('PUT', clientPath(client.body.client_id), { token, body: { client_id: client.body.client_id, ...metadata } });
  const refused = async (act: () => Promise<Answer>): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expect(await h.items()).toEqual(before);
    return res;
  };

  describe('which lists a registration runs', () => {
    it('anonymous: the anonymous list, and the item remembers it', async () => {
      h.configure({ requireInitialAccessToken: false });

      const res = await post({ redirect_uris: [OTHER] });

      expect(res.status).toBe(201);
      expect(res.body.scope).toBe('public');
      const item = await h.item(res.body.client_id);
      expect(item?.registration_policy_lists).toEqual(['anonymous']);
      expect(item).not.toHaveProperty('registered_by');
    });

    it('with an initial access token: the authenticated list; the item remembers it and the subject', async () => {
      const res = await post({ redirect_uris: [OTHER] }, {});

      expect(res.status).toBe(201);
      expect(res.body.scope).toBe('internal');
      expect(await h.item(res.body.client_id)).toMatchObject({ registration_policy_lists: ['authenticated'], registered_by: 'team-a' });
    });

    it('the lists a token names in dcr_policies run after the authenticated list, in order', async () => {
      const refusedByPartner = await refused(() => post({ redirect_uris: [OTHER] }, { dcr_policies: ['partner-x'] }));
      const accepted = await post({ redirect_uris: [PARTNER] }, { dcr_policies: ['partner-x', 'partner-y'] });

      expectError(refusedByPartner, 400, 'invalid_redirect_uri');
      expect(refusedByPartner.body.error_description).toBe(`redirect_uris: "${OTHER}" is not on a host this server trusts for redirects`);
      expect(accepted.status).toBe(201);
      // authenticated's default first, which partner-y's list allows
      expect(accepted.body.scope).toBe('internal');
      expect((await h.item(accepted.body.client_id))?.registration_policy_lists).toEqual(['authenticated', 'partner-x', 'partner-y']);
    });

    it('dcr_policies may be a space-separated string', async () => {
      const res = await refused(() => post({ redirect_uris: [OTHER] }, { dcr_policies: 'partner-x' }));

      expectError(res, 400, 'invalid_redirect_uri');
    });

    it.each<[string, unknown, RegExp]>([
      ['a list the server does not have', ['partner-z'], /names the registration policy list "partner-z", which this server does not have/],
      ['a value that is not a list of names', 42, /dcr_policies claim of the initial access token must be an array of policy list names/],
    ])('a token naming %s: 401 invalid_token, nothing stored', async (_what, claim, says) => {
      const res = await refused(() => post({ redirect_uris: [PARTNER] }, { dcr_policies: claim }));

      expectError(res, 401, 'invalid_token');
      expect(res.body.error_description).toMatch(says);
      expect(header(res, 'WWW-Authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    it('ignores a software_statement when no policy verifies statements: not stored, not returned', async () => {
      const res = await post({ redirect_uris: [OTHER], software_statement: 'eyJhbGciOiJub25lIn0.eyJjbGllbnRfbmFtZSI6IngifQ.' }, {});

      expect(res.status).toBe(201);
      expect(res.body).not.toHaveProperty('software_statement');
      expect(JSON.stringify(await h.item(res.body.client_id))).not.toContain('software_statement');
    });
  });

  describe('on PUT', () => {
    it('runs the lists the client was registered under', async () => {
      const client = await post({ redirect_uris: [PARTNER] }, { dcr_policies: ['partner-x'] });

      const moved = await refused(() => put(client, { redirect_uris: [OTHER] }));
      const kept = await put(client, { redirect_uris: [PARTNER, 'https://login.partner.example/cb'] });

      expectError(moved, 400, 'invalid_redirect_uri');
      expect(kept.status).toBe(200);
      // the authenticated list ran too: its default scope came back
      expect(kept.body.scope).toBe('internal');
    });

    it('an anonymous client gets the anonymous list again', async () => {
      h.configure({ requireInitialAccessToken: false });
      const client = await post({ redirect_uris: [OTHER] });
      h.configure({ requireInitialAccessToken: true });

      const widened = await refused(() => put(client, { redirect_uris: [OTHER], scope: 'internal' }));
      const res = await put(client, { redirect_uris: [OTHER] });

      expectError(widened, 400, 'invalid_client_metadata');
      expect(widened.body.error_description).toBe('scope holds values that may not be registered here: "internal"');
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('public');
    });

    it('a client registered before any policy was configured runs the authenticated list when tokens are required', async () => {
      h.configure({ registrationPolicies: '{}' });
      const client = await post({ redirect_uris: [OTHER] }, {});
      h.configure({ registrationPolicies: JSON.stringify(CONFIG) });

      const res = await put(client, { redirect_uris: [OTHER] });

      expect(await h.item(client.body.client_id)).not.toHaveProperty('registration_policy_lists');
      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('internal');
    });

    it('checks the registration access token before any policy runs: 401, nothing changed', async () => {
      const client = await post({ redirect_uris: [PARTNER] }, { dcr_policies: ['partner-x'] });

      const res = await refused(() => put(client, { redirect_uris: [OTHER] }, 'not-the-token'));

      expectError(res, 401, 'invalid_token');
    });
  });

  describe('a configuration that does not load', () => {
    const BAD = JSON.stringify({ ...CONFIG, authenticated: [{ policy: 'scopes', allowed: ['a'] }, { policy: 'no-such-policy' }] });

    it('answers POST with 503 temporarily_unavailable and stores nothing: never half-applied', async () => {
      h.configure({ registrationPolicies: BAD });

      const res = await refused(() => post({ redirect_uris: [OTHER], scope: 'b' }, {}));

      expectError(res, 503, 'temporarily_unavailable');
      expect(header(res, 'Retry-After')).toBe('30');
      // the description tells the caller what kind of failure it is, not the operator's configuration
      expect(res.body.error_description).toBe(
        'the registration policies of this server are misconfigured; the operator has been told (see the logs)',
      );
    });

    it('answers PUT with 503 and changes nothing; GET and DELETE, which run no policy, still work', async () => {
      const client = await post({ redirect_uris: [OTHER] }, {});
      h.configure({ registrationPolicies: BAD, rotateClientSecret: false, rotateRegistrationAccessToken: false });

      const updated = await refused(() => put(client, { redirect_uris: [OTHER] }));
      const read = await h.call('GET', clientPath(client.body.client_id), { token: client.body.registration_access_token });
      const deleted = await h.call('DELETE', clientPath(client.body.client_id), { token: client.body.registration_access_token });

      expectError(updated, 503, 'temporarily_unavailable');
      expect(read.status).toBe(200);
      expect(deleted.status).toBe(204);
    });

    it.each<[string, string]>([
      ['text that is not JSON', '{"anonymous": ['],
      ['an unknown option', JSON.stringify({ anonymous: [{ policy: 'https-redirect-uris', alow_loopback: true }] })],
      ['a bad option value', JSON.stringify({ caps: { total: 'ten' } })],
    ])('%s: 503 too', async (_what, raw) => {
      h.configure({ registrationPolicies: raw });

      expectError(await refused(() => post({ redirect_uris: [OTHER] }, {})), 503, 'temporarily_unavailable');
    });

    it('registration works again as soon as the configuration is fixed', async () => {
      h.configure({ registrationPolicies: BAD });
      expectError(await post({ redirect_uris: [OTHER] }, {}), 503, 'temporarily_unavailable');
      h.configure({ registrationPolicies: JSON.stringify(CONFIG) });

      const res = await post({ redirect_uris: [OTHER] }, {});

      expect(res.status).toBe(201);
      expect(res.body.scope).toBe('internal');
    });
  });

  describe('DynamoDB requests while policies are configured (no caps)', () => {
    const counted = async (act: () => Promise<Answer>) => {
      const before = h.dynamoDb.requestCount();
      const res = await act();
      return { requests: h.dynamoDb.requestCount() - before, res };
    };

    it('register: one; PUT: two (the item is read for its policy lists); DELETE: one', async () => {
      const token = await tokenWith({});

      const registered = await counted(() => h.call('POST', REGISTRATION_PATH, { body: { redirect_uris: [OTHER] }, token }));
      const updated = await counted(() => put(registered.res, { redirect_uris: [OTHER] }));
      const deleted = await counted(() =>
        h.call('DELETE', clientPath(registered.res.body.client_id), { token: updated.res.body.registration_access_token }),
      );

      expect([registered.res.status, updated.res.status, deleted.res.status]).toEqual([201, 200, 204]);
      expect([registered.requests, updated.requests, deleted.requests]).toEqual([1, 2, 1]);
    });
  });
});
