import { describe, expect, it } from 'vitest';
import { type Answer, expectError, header, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Issue 8, item 7: with "Require Initial Access Token" off, a token that is sent is still a token:
// an invalid one gets 401 invalid_token (RFC 6750 §3.1), and a valid one registers under the
// authenticated policy lists, so anonymous registration can be restricted more than token-bearing one.

const METADATA = { redirect_uris: ['https://app.example/cb'] };
// anonymous callers may only register client_credentials clients; token holders anything
const POLICIES = JSON.stringify({ anonymous: [{ policy: 'grant-types', allowed: ['client_credentials'] }] });

describe('a token sent while none is required', () => {
  const h = useHarness({ settings: { requireInitialAccessToken: false, registrationPolicies: POLICIES } });

  const post = (headers: Record<string, string> = {}, body: Record<string, unknown> = METADATA) =>
    h.call('POST', REGISTRATION_PATH, { body, headers });
  const refused = async (act: () => Promise<Answer>, status: number, error: string): Promise<Answer> => {
    const before = await h.items();
    const res = await act();
    expectError(res, status, error);
    expect(await h.items()).toEqual(before);
    return res;
  };

  it('no token: an anonymous registration under the anonymous list', async () => {
    await refused(() => post(), 400, 'invalid_client_metadata');
    const res = await post({}, { grant_types: ['client_credentials'] });

    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))!.registration_policy_lists).toEqual(['anonymous']);
  });

  it.each([
    ['a garbage bearer token', 'Bearer garbage'],
    ['a JWT that does not verify', 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['a malformed Authorization header', 'Bearer'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('%s: 401 invalid_token with the RFC 6750 challenge', async (_what, authorization) => {
    const res = await refused(() => post({ authorization }), 401, 'invalid_token');

    expect(header(res, 'WWW-Authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('an expired token: 401 invalid_token', async () => {
    const token = await h.initialAccessToken({}, -120);
    await refused(() => post({ authorization: `Bearer ${token}` }), 401, 'invalid_token');
  });

  it('a valid token: registers under the authenticated list, with its subject', async () => {
    const token = await h.initialAccessToken({ sub: 'team-a' });

    const res = await post({ authorization: `Bearer ${token}` });

    expect(res.status).toBe(201);
    const item = await h.item(res.body.client_id);
    expect(item!.registration_policy_lists).toEqual(['authenticated']);
    expect(item!.registered_by).toBe('team-a');
  });

  it('a valid token without the required scope: 403 insufficient_scope', async () => {
    const token = await h.initialAccessToken({ scope: 'something:else' });

    await refused(() => post({ authorization: `Bearer ${token}` }), 403, 'insufficient_scope');
  });

  it('an empty Authorization header counts as no token', async () => {
    const res = await post({ authorization: '' }, { grant_types: ['client_credentials'] });

    expect(res.status).toBe(201);
  });
});

describe('a token sent while none is required and no way to check tokens is configured', () => {
  const h = useHarness({ withIssuer: false, settings: { requireInitialAccessToken: false } });

  it('registers anonymously without a token', async () => {
    const res = await h.call('POST', REGISTRATION_PATH, { body: METADATA });

    expect(res.status).toBe(201);
  });

  it('refuses a presented token with 401 invalid_token: it cannot be checked, so it is not accepted', async () => {
    const before = await h.items();
    const res = await h.call('POST', REGISTRATION_PATH, { body: METADATA, token: 'some-token' });

    expectError(res, 401, 'invalid_token');
    expect(await h.items()).toEqual(before);
  });
});
