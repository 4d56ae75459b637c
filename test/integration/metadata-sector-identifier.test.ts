import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { createSectorIdentifierFetcher } from '../../lib/metadata/https-document-fetcher.js';
import { SectorIdentifierFetchError, type SectorIdentifierFetcher } from '../../lib/metadata/sector-identifier.js';
import { validateMetadata } from '../../lib/metadata/validate.js';
import { withinRequestBudget } from '../../lib/time-budget.js';
import { clientPath, expectError, registeredMetadata, useHarness } from '../support/harness.js';
import { LARGE_BYTES, SECTOR_HOST_NAME, type SectorServer, startSectorServer } from '../support/sector-server.js';

// The real sector_identifier_uri fetch (OIDC-Reg §5) against a local HTTPS server on 127.0.0.1 (validation
// lets the URI name it with allowNonPublicServerUris; the fetcher's own address check is what is tested). The
// fetcher refuses non-public addresses; these tests reach the local server only through the
// test-only allowance (allowAddresses + the server's certificate), and check the refusal without it.

const REDIRECTS = ['https://a.client.example/cb', 'https://b.client.example/cb'];

async function fetchFailure(fetcher: SectorIdentifierFetcher, uri: string): Promise<string> {
  try {
    const document = await fetcher.fetch(uri);
    throw new Error(`expected a fetch failure, got ${JSON.stringify(document).slice(0, 100)}`);
  } catch (error) {
    if (error instanceof SectorIdentifierFetchError) return error.reason;
    throw error;
  }
}

async function refusal(input: Record<string, unknown>, sectorIdentifiers?: SectorIdentifierFetcher): Promise<RegistrationError> {
  try {
    await validateMetadata(input, { extendedProperties: [], allowNonPublicServerUris: true, sectorIdentifiers });
  } catch (error) {
    if (error instanceof RegistrationError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('sector_identifier_uri: the real fetch', () => {
  let server: SectorServer;
  let allowed: SectorIdentifierFetcher;
  beforeAll(async () => {
    server = await startSectorServer();
    allowed = createSectorIdentifierFetcher({ allowAddresses: ['127.0.0.1'], ca: server.ca });
    server.documents.set('/ok', [...REDIRECTS, 'https://c.client.example/cb']);
    server.documents.set('/missing', [REDIRECTS[0]]);
    server.documents.set('/object', { redirect_uris: REDIRECTS });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  describe('the fetcher', () => {
    it('returns the parsed document of an allowed address', async () => {
      // Act
      const document = await allowed.fetch(`${server.origin}/ok`);

      // Assess
      expect(document).toEqual([...REDIRECTS, 'https://c.client.example/cb']);
      expect(server.requests).toEqual([{ path: '/ok', host: `127.0.0.1:${server.port}` }]);
    });

    it('refuses 127.0.0.1 without the test allowance, before connecting', async () => {
      // Prepare: the production configuration, trusting the test certificate only so that the address check alone decides
      const production = createSectorIdentifierFetcher({ ca: server.ca });

      // Act
      const reason = await fetchFailure(production, `${server.origin}/ok`);

      // Assess
      expect(reason).toBe('address 127.0.0.1 is not public');
      expect(server.requests).toEqual([]);
    });

    it('refuses localhost as resolved by the system DNS, before connecting', async () => {
      // Act
      const reason = await fetchFailure(createSectorIdentifierFetcher({ ca: server.ca }), `https://localhost:${server.port}/ok`);

      // Assess
      expect(reason).toMatch(/^address (127\.0\.0\.1|::1) is not public$/);
      expect(server.requests).toEqual([]);
    });

    it('refuses a host name when any of its addresses is not public', async () => {
      // Prepare: a DNS answer mixing a public and a private address
      const fetcher = createSectorIdentifierFetcher({ ca: server.ca, resolve: async () => ['93.184.215.14', '10.0.0.7'] });

      // Act
      const reason = await fetchFailure(fetcher, `https://${SECTOR_HOST_NAME}:${server.port}/ok`);

      // Assess
      expect(reason).toBe('address 10.0.0.7 is not public');
      expect(server.requests).toEqual([]);
    });

    it('connects to the address it checked: a second DNS answer cannot redirect the connection (DNS rebinding)', async () => {
      // Prepare: the first answer is the checked one; any later lookup would answer an unroutable address
      const answers = [['127.0.0.1'], ['10.255.255.1']];
      let lookups = 0;
      const fetcher = createSectorIdentifierFetcher({
        allowAddresses: ['127.0.0.1'],
        ca: server.ca,
        resolve: async () => answers[Math.min(lookups++, 1)]!,
      });

      // Act
      const document = await fetcher.fetch(`https://${SECTOR_HOST_NAME}:${server.port}/ok`);

      // Assess: one lookup; TLS and Host used the name, the socket the pinned address
      expect(document).toEqual([...REDIRECTS, 'https://c.client.example/cb']);
      expect(lookups).toBe(1);
      expect(server.requests).toEqual([{ path: '/ok', host: `${SECTOR_HOST_NAME}:${server.port}` }]);
    });

    it('does not follow a redirect', async () => {
      // Act
      const reason = await fetchFailure(allowed, `${server.origin}/redirect`);

      // Assess
      expect(reason).toBe('it answered HTTP 302; redirects are not followed');
      expect(server.requests.map((request) => request.path)).toEqual(['/redirect']);
    });

    it.each(['/large', '/large-chunked'])('stops reading a body over 64 KiB (%s)', async (path) => {
      // Act
      const reason = await fetchFailure(allowed, `${server.origin}${path}`);

      // Assess
      expect(LARGE_BYTES).toBeGreaterThan(65_536);
      expect(reason).toBe('the response is larger than 65536 bytes');
    });

    it('gives up on a server that never answers', async () => {
      // Prepare: a short deadline, so the test does not wait the production 3 s
      const impatient = createSectorIdentifierFetcher({ allowAddresses: ['127.0.0.1'], ca: server.ca, timeoutMs: 200 });

      // Act
      const reason = await fetchFailure(impatient, `${server.origin}/hang`);

      // Assess
      expect(reason).toBe('no answer within 200 ms');
    });

    it('answers 503 (not the fault of the client) when the deadline of the request comes first', async () => {
      // Act: the production fetcher's 3 s, in a request with 200 ms left
      const error = await withinRequestBudget(() => allowed.fetch(`${server.origin}/hang`), 200).then(
        () => undefined,
        (reason: unknown) => reason,
      );

      // Assess
      expect(error).toBeInstanceOf(RegistrationError);
      expect({ status: (error as RegistrationError).status, error: (error as RegistrationError).error }).toEqual({
        status: 503,
        error: 'temporarily_unavailable',
      });
    });

    it('refuses a URI that is not https, without a request', async () => {
      // Act
      const reason = await fetchFailure(allowed, `http://127.0.0.1:${server.port}/ok`);

      // Assess
      expect(reason).toBe('it must use https');
      expect(server.requests).toEqual([]);
    });

    it.each([
      ['/status/404', 'it answered HTTP 404'],
      ['/status/500', 'it answered HTTP 500'],
      ['/not-json', 'the response is not JSON'],
    ])('fails on %s: %s', async (path, expected) => {
      // Act / Assess
      expect(await fetchFailure(allowed, `${server.origin}${path}`)).toBe(expected);
    });

    it('refuses a certificate it does not trust', async () => {
      // Prepare: the allowance without the test certificate authority
      const untrusting = createSectorIdentifierFetcher({ allowAddresses: ['127.0.0.1'] });

      // Act
      const reason = await fetchFailure(untrusting, `${server.origin}/ok`);

      // Assess
      expect(reason).toMatch(
        /^the connection failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)$/,
      );
    });
  });

  describe('validation with the real fetcher', () => {
    const input = (path: string) => ({
      redirect_uris: REDIRECTS,
      subject_type: 'pairwise',
      sector_identifier_uri: `${server.origin}${path}`,
    });

    it('accepts a document that lists every redirect URI', async () => {
      // Act
      const metadata = await validateMetadata(input('/ok'), {
        extendedProperties: [],
        allowNonPublicServerUris: true,
        sectorIdentifiers: allowed,
      });

      // Assess
      expect(metadata).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: `${server.origin}/ok`, redirect_uris: REDIRECTS });
    });

    it.each([
      [
        '/missing',
        'sector_identifier_uri does not list the redirect URI "https://b.client.example/cb": it must list every redirect_uris value',
      ],
      ['/object', 'sector_identifier_uri must return a JSON array of strings (the redirect URIs)'],
      ['/large', 'sector_identifier_uri could not be fetched: the response is larger than 65536 bytes'],
      ['/redirect', 'sector_identifier_uri could not be fetched: it answered HTTP 302; redirects are not followed'],
    ])('refuses %s with invalid_client_metadata', async (path, description) => {
      // Act
      const error = await refusal(input(path), allowed);

      // Assess
      expect({ status: error.status, error: error.error, description: error.description }).toEqual({
        status: 400,
        error: 'invalid_client_metadata',
        description,
      });
    });

    it('uses the production fetcher when the context names none, and it refuses the local address', async () => {
      // Act
      const error = await refusal(input('/ok'));

      // Assess
      expect(error.description).toBe('sector_identifier_uri could not be fetched: address 127.0.0.1 is not public');
      expect(server.requests).toEqual([]);
    });
  });

  describe('through the handlers', () => {
    // a function: `allowed` is made in the outer beforeAll
    const h = useHarness(() => ({ sectorIdentifiers: allowed, settings: { allowNonPublicServerUris: true } }));

    it('registers a pairwise client whose sector identifier lists its redirect URIs, and checks it again on update', async () => {
      // Prepare
      const metadata = { redirect_uris: REDIRECTS, subject_type: 'pairwise', sector_identifier_uri: `${server.origin}/ok` };

      // Act
      const created = await h.register(metadata);
      const updated = await h.call('PUT', clientPath(created.body.client_id), {
        token: created.body.registration_access_token,
        body: { ...metadata, client_id: created.body.client_id, redirect_uris: [REDIRECTS[0]] },
      });

      // Assess
      expect(created.status).toBe(201);
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        sector_identifier_uri: `${server.origin}/ok`,
        subject_type: 'pairwise',
        redirect_uris: [REDIRECTS[0]],
      });
      expect((await h.item(created.body.client_id))?.metadata).toEqual(registeredMetadata(updated.body));
      expect(server.requests.map((request) => request.path)).toEqual(['/ok', '/ok']);
    });

    it('refuses a registration whose sector identifier misses a redirect URI, storing nothing', async () => {
      // Prepare
      const before = await h.items();

      // Act
      const res = await h.register({
        redirect_uris: REDIRECTS,
        subject_type: 'pairwise',
        sector_identifier_uri: `${server.origin}/missing`,
      });

      // Assess
      expectError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toContain('sector_identifier_uri does not list the redirect URI "https://b.client.example/cb"');
      expect(await h.items()).toEqual(before);
    });

    it('refuses an update whose sector identifier cannot be fetched, changing nothing', async () => {
      // Prepare
      const created = await h.register({ redirect_uris: REDIRECTS, client_name: 'Before' });
      const before = await h.items();

      // Act
      const res = await h.call('PUT', clientPath(created.body.client_id), {
        token: created.body.registration_access_token,
        body: { client_id: created.body.client_id, redirect_uris: REDIRECTS, sector_identifier_uri: `${server.origin}/redirect` },
      });

      // Assess
      expectError(res, 400, 'invalid_client_metadata');
      expect(res.body.error_description).toBe(
        'sector_identifier_uri could not be fetched: it answered HTTP 302; redirects are not followed',
      );
      expect(await h.items()).toEqual(before);
    });

    it('makes no fetch for an update whose registration access token is wrong: 401 first', async () => {
      // Prepare
      const created = await h.register({ redirect_uris: REDIRECTS });
      const before = await h.items();

      // Act
      const res = await h.call('PUT', clientPath(created.body.client_id), {
        token: 'not-the-registration-access-token',
        body: {
          client_id: created.body.client_id,
          redirect_uris: REDIRECTS,
          subject_type: 'pairwise',
          sector_identifier_uri: `${server.origin}/ok`,
        },
      });

      // Assess
      expectError(res, 401, 'invalid_token');
      expect(server.requests).toEqual([]);
      expect(await h.items()).toEqual(before);
    });
  });
});
