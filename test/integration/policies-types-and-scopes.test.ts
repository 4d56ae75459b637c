import { describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, registeredMetadata, useHarness } from '../support/harness.js';

// The response-types, grant-types and scopes policies through the real handlers: what each accepts
// (and how it adjusts the registration), the error each gives, and that a refused request stores
// nothing and takes no place in the client caps (configured here so that there is one to take).

const REDIRECT = 'https://app.example/cb';
const TOTAL = '#quota#total';
const CAPS = { total: 100_000, per_subject: 100_000 };

describe('response-types, grant-types and scopes policies', () => {
  const h = useHarness();

  const policies = (...list: Record<string, unknown>[]) =>
    h.configure({ registrationPolicies: JSON.stringify({ authenticated: list, caps: CAPS }) });
  const accepted = async (metadata: Record<string, unknown>): Promise<Answer> => {
    const res = await h.register(metadata);
    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))?.metadata).toEqual(registeredMetadata(res.body));
    return res;
  };
  /** The request is refused with `status`/`error`/`description`; no item (clients, counters) changed. */
  const refused = async (metadata: Record<string, unknown>, status: number, error: string, description: string) => {
    const before = await h.items();
    const res = await h.register(metadata);
    expectError(res, status, error);
    expect(res.body.error_description).toBe(description);
    expect(await h.items()).toEqual(before);
  };

  describe('response-types', () => {
    it('registers an allowed response type', async () => {
      policies({ policy: 'response-types', allowed: ['code', 'code id_token'] });

      const res = await accepted({
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['id_token code'],
      });

      expect(res.body.response_types).toEqual(['code id_token']);
    });

    it('refuses another (reject): 400 invalid_client_metadata', async () => {
      policies({ policy: 'response-types', allowed: ['code'] });

      await refused(
        { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'implicit'], response_types: ['code', 'token'] },
        400,
        'invalid_client_metadata',
        'response_types "token" may not be registered here; allowed: "code"',
      );
    });

    it('drops another (drop), with the grant it needed', async () => {
      policies({ policy: 'response-types', allowed: ['code'], unlisted: 'drop' });

      const res = await accepted({
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'implicit', 'refresh_token'],
        response_types: ['code', 'token'],
      });

      expect(res.body).toMatchObject({ response_types: ['code'], grant_types: ['authorization_code', 'refresh_token'] });
    });

    it('refuses a registration left with none allowed', async () => {
      policies({ policy: 'response-types', allowed: ['code'], unlisted: 'drop' });

      await refused(
        { redirect_uris: ['https://app.example/cb'], grant_types: ['implicit'], response_types: ['token'] },
        400,
        'invalid_client_metadata',
        'none of the response_types "token" may be registered here; allowed: "code"',
      );
    });
  });

  describe('grant-types', () => {
    it('registers allowed grants', async () => {
      policies({ policy: 'grant-types', allowed: ['authorization_code', 'refresh_token'] });

      const res = await accepted({ redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'] });

      expect(res.body.grant_types).toEqual(['authorization_code', 'refresh_token']);
    });

    it('refuses another (reject): 400 invalid_client_metadata', async () => {
      policies({ policy: 'grant-types', allowed: ['authorization_code', 'refresh_token'] });

      await refused(
        { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'password'] },
        400,
        'invalid_client_metadata',
        'grant_types "password" may not be registered here; allowed: "authorization_code", "refresh_token"',
      );
    });

    it('drops another (drop), with the response types that need it', async () => {
      policies({ policy: 'grant-types', allowed: ['authorization_code'], unlisted: 'drop' });

      const res = await accepted({
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'implicit', 'client_credentials'],
        response_types: ['code', 'token'],
      });

      expect(res.body).toMatchObject({ grant_types: ['authorization_code'], response_types: ['code'] });
    });

    it('refuses a registration left with no grant', async () => {
      policies({ policy: 'grant-types', allowed: ['authorization_code'], unlisted: 'drop' });

      await refused(
        { grant_types: ['client_credentials'] },
        400,
        'invalid_client_metadata',
        'none of the grant_types "client_credentials" may be registered here; allowed: "authorization_code"',
      );
    });
  });

  describe('scopes', () => {
    it('registers allowed scopes', async () => {
      policies({ policy: 'scopes', allowed: ['openid', 'profile', 'api:read'] });

      const res = await accepted({ redirect_uris: [REDIRECT], scope: 'openid api:read' });

      expect(res.body.scope).toBe('openid api:read');
    });

    it('refuses unknown scopes (reject): 400 invalid_client_metadata', async () => {
      policies({ policy: 'scopes', allowed: ['openid', 'profile'] });

      await refused(
        { redirect_uris: [REDIRECT], scope: 'openid admin' },
        400,
        'invalid_client_metadata',
        'scope holds values that may not be registered here: "admin"',
      );
    });

    it('drops unknown scopes (drop)', async () => {
      policies({ policy: 'scopes', allowed: ['openid', 'profile'], unlisted: 'drop' });

      const res = await accepted({ redirect_uris: [REDIRECT], scope: 'admin profile' });

      expect(res.body.scope).toBe('profile');
    });

    it('registers the default scopes when none are requested, on POST and on PUT', async () => {
      policies({ policy: 'scopes', allowed: ['openid', 'profile'], default: ['openid'] });

      const res = await accepted({ redirect_uris: [REDIRECT] });
      const updated = await h.call('PUT', clientPath(res.body.client_id), {
        token: res.body.registration_access_token,
        body: { client_id: res.body.client_id, redirect_uris: [REDIRECT], scope: '' },
      });

      expect(res.body.scope).toBe('openid');
      expect(updated.status).toBe(200);
      expect(updated.body.scope).toBe('openid');
      expect((await h.item(res.body.client_id))?.metadata.scope).toBe('openid');
    });
  });

  it('an accepted registration takes a place in the total cap (the refusals above changed no item, so took none)', async () => {
    policies({ policy: 'scopes', default: ['openid'] });
    const before = (await h.item(TOTAL))?.client_count ?? 0;

    await accepted({ redirect_uris: [REDIRECT] });

    expect((await h.item(TOTAL))?.client_count).toBe(before + 1);
  });
});
