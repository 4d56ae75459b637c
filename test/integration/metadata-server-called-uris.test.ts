import { describe, expect, it } from 'vitest';
import { clientPath, expectError, REGISTRATION_PATH, useHarness } from '../support/harness.js';

// Issue 8, item 12: URIs the authorization server fetches or calls itself (jwks_uri, request_uris,
// sector_identifier_uri, the CIBA notification endpoint, the back-channel logout URI) may not name
// a literal loopback, private, link-local, metadata or other non-public host, nor localhost; a
// setting allows them for development. Redirect URIs are not concerned (native loopback redirects).

const CIBA = 'urn:openid:params:grant-type:ciba';

/** Metadata putting `uri` in `field`, with what that field needs beside it. */
function metadataWith(field: string, uri: string): Record<string, unknown> {
  switch (field) {
    case 'jwks_uri':
      return { grant_types: ['client_credentials'], jwks_uri: uri };
    case 'request_uris':
      return { redirect_uris: ['https://app.example/cb'], request_uris: ['https://app.example/r', uri] };
    case 'sector_identifier_uri':
      return { redirect_uris: ['https://app.example/cb'], sector_identifier_uri: uri };
    case 'backchannel_client_notification_endpoint':
      return {
        grant_types: [CIBA],
        backchannel_token_delivery_mode: 'ping',
        backchannel_client_notification_endpoint: uri,
      };
    case 'backchannel_logout_uri':
      return { redirect_uris: ['https://app.example/cb'], backchannel_logout_uri: uri };
    default:
      throw new Error(`no metadata for ${field}`);
  }
}

const FIELDS = ['jwks_uri', 'request_uris', 'sector_identifier_uri', 'backchannel_client_notification_endpoint', 'backchannel_logout_uri'];
const NON_PUBLIC_HOSTS: readonly [string, string][] = [
  ['IPv4 loopback', '127.0.0.1'],
  ['IPv4 loopback, other address', '127.1.2.3'],
  ['IPv4 loopback, one number', '2130706433'],
  ['IPv4 loopback, hexadecimal', '0x7f.0.0.1'],
  ['the unspecified address', '0.0.0.0'],
  ['private 10/8', '10.1.2.3'],
  ['private 172.16/12', '172.20.0.1'],
  ['private 192.168/16', '192.168.0.10'],
  ['cloud metadata', '169.254.169.254'],
  ['carrier-grade NAT', '100.64.0.1'],
  ['IPv6 loopback', '[::1]'],
  ['IPv6 unspecified', '[::]'],
  ['IPv6 unique-local', '[fd00::1]'],
  ['IPv6 link-local', '[fe80::1]'],
  ['IPv4-mapped loopback', '[::ffff:127.0.0.1]'],
  ['IPv4-mapped metadata', '[::ffff:169.254.169.254]'],
  ['NAT64 of metadata', '[64:ff9b::a9fe:a9fe]'],
  ['localhost', 'localhost'],
  ['LOCALHOST', 'LOCALHOST'],
  ['localhost.', 'localhost.'],
  ['a localhost subdomain', 'api.localhost'],
];

describe('URIs the authorization server calls', () => {
  const h = useHarness();

  describe.each(FIELDS)('%s', (field) => {
    it.each(NON_PUBLIC_HOSTS)('with a host of %s: 400 invalid_client_metadata naming the field', async (_what, host) => {
      const before = await h.items();

      const res = await h.register(metadataWith(field, `https://${host}:8443/path`));

      expectError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toContain(field);
      expect(res.body.error_description).toMatch(/not public|localhost/);
      expect(await h.items()).toEqual(before);
    });

    it('PUT with such a host: refused too, the client unchanged', async () => {
      const client = await h.register({ redirect_uris: ['https://app.example/cb'] });
      expect(client.status).toBe(201);
      const before = await h.item(client.body.client_id);

      const res = await h.call('PUT', clientPath(client.body.client_id), {
        token: client.body.registration_access_token,
        body: { client_id: client.body.client_id, ...metadataWith(field, 'https://169.254.169.254/latest') },
      });

      expectError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toContain(field);
      expect(await h.item(client.body.client_id)).toEqual(before);
    });
  });

  it.each(['jwks_uri', 'request_uris', 'backchannel_client_notification_endpoint', 'backchannel_logout_uri'])(
    '%s on a public host name or address is registered',
    async (field) => {
      for (const host of ['client.example.com', '93.184.215.14', '[2606:4700:4700::1111]', 'localhost.example.com']) {
        const res = await h.register(metadataWith(field, `https://${host}/path`));
        expect(res.status, `${field} on ${host}: ${res.rawBody}`).toBe(201);
      }
    },
  );

  it('redirect URIs are not concerned: a native client keeps its loopback redirect', async () => {
    const res = await h.register({ application_type: 'native', redirect_uris: ['http://127.0.0.1/cb', 'http://localhost/cb'] });

    expect(res.status).toBe(201);
  });

  it('initiate_login_uri and the front-channel URIs are opened by the browser, not called: a loopback host is registered', async () => {
    const res = await h.register({
      redirect_uris: ['https://app.example/cb'],
      initiate_login_uri: 'https://127.0.0.1/login',
      frontchannel_logout_uri: 'https://localhost/logout',
      logo_uri: 'https://10.0.0.1/logo.png',
    });

    expect(res.status).toBe(201);
  });
});

describe('URIs the authorization server calls, with non-public hosts allowed (development)', () => {
  const h = useHarness({ settings: { allowNonPublicServerUris: true } });

  it.each(['jwks_uri', 'request_uris', 'backchannel_client_notification_endpoint', 'backchannel_logout_uri'])(
    '%s on localhost or a private address is registered',
    async (field) => {
      for (const host of ['localhost', '127.0.0.1', '[::1]', '10.0.0.5']) {
        const res = await h.register(metadataWith(field, `https://${host}/path`));
        expect(res.status, `${field} on ${host}: ${res.rawBody}`).toBe(201);
      }
    },
  );

  it('the sector_identifier_uri is still fetched from public addresses only (the fetcher does not follow the setting)', async () => {
    const res = await h.call('POST', REGISTRATION_PATH, {
      body: metadataWith('sector_identifier_uri', 'https://127.0.0.1:1/sector.json'),
      token: await h.initialAccessToken(),
    });

    expectError(res, 400, 'invalid_client_metadata');
    expect(res.body.error_description).toContain('not public');
  });
});
