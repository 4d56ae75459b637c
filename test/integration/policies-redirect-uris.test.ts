import { describe, expect, it } from 'vitest';
import { type Answer, clientPath, expectError, registeredMetadata, useHarness } from '../support/harness.js';

// The trusted-redirect-hosts and https-redirect-uris policies through the real handlers: what each
// accepts, the error each gives, and that a refused request stores nothing and takes no cap place.

const CAPS = { total: 100_000, per_subject: 100_000 };

describe('trusted-redirect-hosts and https-redirect-uris policies', () => {
  const h = useHarness();

  const policies = (...list: Record<string, unknown>[]) =>
    h.configure({ registrationPolicies: JSON.stringify({ authenticated: list, caps: CAPS }) });
  const accepted = async (metadata: Record<string, unknown>): Promise<Answer> => {
    const res = await h.register(metadata);
    expect(res.status).toBe(201);
    expect((await h.item(res.body.client_id))?.metadata).toEqual(registeredMetadata(res.body));
    return res;
  };
  const refused = async (act: () => Promise<Answer>, status: number, error: string, description: string) => {
    const before = await h.items();
    const res = await act();
    expectError(res, status, error);
    expect(res.body.error_description).toBe(description);
    expect(await h.items()).toEqual(before);
  };

  describe('trusted-redirect-hosts', () => {
    const TRUSTED = { policy: 'trusted-redirect-hosts', hosts: ['app.example.com', '.partner.example'] };

    it('registers redirect URIs on listed hosts and domains, and native private-use schemes of listed domains', async () => {
      policies(TRUSTED);

      await accepted({ redirect_uris: ['https://app.example.com/cb', 'https://login.partner.example/cb'] });
      await accepted({ application_type: 'native', redirect_uris: ['example.partner.mobile:/oauth2redirect'] });
    });

    it('refuses a redirect URI elsewhere: 400 invalid_redirect_uri', async () => {
      policies(TRUSTED);

      await refused(
        () => h.register({ redirect_uris: ['https://app.example.com/cb', 'https://app.example.com.evil.example/cb'] }),
        400,
        'invalid_redirect_uri',
        'redirect_uris: "https://app.example.com.evil.example/cb" is not on a host this server trusts for redirects',
      );
    });

    it('allows native loopback redirects only when configured', async () => {
      const native = { application_type: 'native', redirect_uris: ['http://127.0.0.1/cb'] };
      policies(TRUSTED);
      await refused(
        () => h.register(native),
        400,
        'invalid_redirect_uri',
        'redirect_uris: "http://127.0.0.1/cb" is not on a host this server trusts for redirects',
      );

      policies({ ...TRUSTED, allow_native_loopback: true });

      await accepted(native);
    });

    it('checks client_uri, logo_uri, policy_uri and tos_uri when asked: 400 invalid_client_metadata', async () => {
      policies({ ...TRUSTED, also_check: ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] });

      await accepted({
        redirect_uris: ['https://app.example.com/cb'],
        client_uri: 'https://app.example.com',
        logo_uri: 'https://cdn.partner.example/l.png',
      });
      await refused(
        () => h.register({ redirect_uris: ['https://app.example.com/cb'], 'logo_uri#fr': 'https://evil.example/l.png' }),
        400,
        'invalid_client_metadata',
        'logo_uri#fr: "https://evil.example/l.png" is not on a host this server trusts',
      );
    });

    it('applies on PUT too, and a refused PUT changes nothing', async () => {
      policies(TRUSTED);
      const client = await accepted({ redirect_uris: ['https://app.example.com/cb'] });

      await refused(
        () =>
          h.call('PUT', clientPath(client.body.client_id), {
            token: client.body.registration_access_token,
            body: { client_id: client.body.client_id, redirect_uris: ['https://evil.example/cb'] },
          }),
        400,
        'invalid_redirect_uri',
        'redirect_uris: "https://evil.example/cb" is not on a host this server trusts for redirects',
      );
    });
  });

  describe('https-redirect-uris', () => {
    it('registers https and loopback redirect URIs', async () => {
      policies({ policy: 'https-redirect-uris' });

      await accepted({ redirect_uris: ['https://app.example/cb'] });
      await accepted({ application_type: 'native', redirect_uris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb'] });
    });

    it('refuses plain http elsewhere: 400 invalid_redirect_uri', async () => {
      policies({ policy: 'https-redirect-uris' });

      await refused(
        () => h.register({ redirect_uris: ['https://app.example/cb', 'http://app.example/cb'] }),
        400,
        'invalid_redirect_uri',
        'redirect_uris: "http://app.example/cb" must use https (or http for loopback hosts)',
      );
    });

    it('refuses loopback too when not allowed, and native private-use schemes unless allowed', async () => {
      policies({ policy: 'https-redirect-uris', allow_loopback: false });
      await refused(
        () => h.register({ application_type: 'native', redirect_uris: ['http://127.0.0.1/cb'] }),
        400,
        'invalid_redirect_uri',
        'redirect_uris: "http://127.0.0.1/cb" must use https',
      );
      await refused(
        () => h.register({ application_type: 'native', redirect_uris: ['com.example.app:/cb'] }),
        400,
        'invalid_redirect_uri',
        'redirect_uris: "com.example.app:/cb" must use https',
      );

      policies({ policy: 'https-redirect-uris', allow_private_use_schemes: true });

      await accepted({ application_type: 'native', redirect_uris: ['com.example.app:/cb'] });
    });
  });
});
