import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { subjectMatches } from '../../lib/directory/client-certificate.js';
import type { DirectoryClient } from '../../lib/directory/directory-client.js';
import { matchRedirectUri } from '../../lib/directory/redirect-uri.js';
import { type ClientAuthenticationRequest, presentedCredentials } from '../../lib/directory/request-credentials.js';
import { InvalidClientError } from '../../lib/errors.js';
import { makeCertificate } from '../support/sector-server.js';
import { thrownBy } from '../support/thrown.js';

function client(metadata: Record<string, unknown>): DirectoryClient {
  return { clientId: 'c1', source: 'registered', issuedAt: 0, metadata };
}

describe('matchRedirectUri', () => {
  const web = client({ application_type: 'web', redirect_uris: ['https://app.example/cb', 'http://127.0.0.1:8080/cb'] });
  const native = client({
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/cb', 'http://[::1]:9000/cb?x=1', 'http://localhost:8787/callback', 'com.example.app:/cb'],
  });

  it('compares exactly: no prefix, no case folding, no normalisation', () => {
    expect(matchRedirectUri(web, 'https://app.example/cb')).toBe(true);
    for (const uri of [
      'https://app.example/cb/',
      'https://app.example/cb?x',
      'https://APP.example/cb',
      'https://app.example:443/cb',
      'https://app.example/c%62',
    ]) {
      expect(matchRedirectUri(web, uri)).toBe(false);
    }
  });

  it('a web client registered with a loopback port keeps that port', () => {
    expect(matchRedirectUri(web, 'http://127.0.0.1:8080/cb')).toBe(true);
    expect(matchRedirectUri(web, 'http://127.0.0.1:8081/cb')).toBe(false);
  });

  it("a native client's loopback redirect matches on any port (RFC 8252 §7.3), path and query still exact", () => {
    expect(matchRedirectUri(native, 'http://127.0.0.1:51234/cb')).toBe(true);
    expect(matchRedirectUri(native, 'http://[::1]:1/cb?x=1')).toBe(true);
    expect(matchRedirectUri(native, 'http://localhost:3000/callback')).toBe(true);
    expect(matchRedirectUri(native, 'http://127.0.0.1:51234/cb2')).toBe(false);
    expect(matchRedirectUri(native, 'http://[::1]:1/cb?x=2')).toBe(false);
    expect(matchRedirectUri(native, 'http://user@127.0.0.1:5/cb')).toBe(false);
    // another loopback host is another URI
    expect(matchRedirectUri(native, 'http://[::1]:5/cb')).toBe(false);
    expect(matchRedirectUri(native, 'https://127.0.0.1:5/cb')).toBe(false);
    expect(matchRedirectUri(native, 'com.example.app:/cb')).toBe(true);
  });
});

describe('which client authentication a request presents', () => {
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const refused = (request: ClientAuthenticationRequest) => thrownBy(() => presentedCredentials(request), InvalidClientError).reason;

  it('Basic: the form-urlencoded id and secret (RFC 6749 §2.3.1)', () => {
    expect(presentedCredentials({ authorization: basic('a b:c', 's%+/'), parameters: {} })).toEqual({
      method: 'client_secret_basic',
      clientId: 'a b:c',
      secret: 's%+/',
    });
    const plus = `Basic ${Buffer.from('a+b:s+t').toString('base64')}`;
    expect(presentedCredentials({ authorization: plus, parameters: {} })).toMatchObject({ clientId: 'a b', secret: 's t' });
  });

  it('post, none and a certificate', () => {
    expect(presentedCredentials({ parameters: new URLSearchParams({ client_id: 'c', client_secret: 's' }) })).toEqual({
      method: 'client_secret_post',
      clientId: 'c',
      secret: 's',
    });
    expect(presentedCredentials({ parameters: { client_id: 'c' } })).toEqual({ method: 'none', clientId: 'c' });
    expect(presentedCredentials({ parameters: { client_id: 'c' }, certificate: 'x' })).toEqual({ method: 'certificate', clientId: 'c' });
  });

  it('refuses two methods at once, a disagreeing client_id, a repeated parameter, a missing client', () => {
    expect(refused({ authorization: basic('c', 's'), parameters: { client_secret: 's' } })).toBe(
      'the request uses more than one client authentication method',
    );
    expect(refused({ authorization: basic('c', 's'), parameters: { client_id: 'd' } })).toBe(
      'the client_id parameter is not the client the credentials name',
    );
    expect(refused({ parameters: new URLSearchParams('client_id=c&client_id=d') })).toBe('the parameter client_id is sent more than once');
    expect(refused({ parameters: {} })).toBe('the request names no client (no client_id, no credentials)');
    expect(refused({ parameters: { client_secret: 's' } })).toBe('client_secret was sent without client_id');
    expect(refused({ authorization: 'Basic !!!', parameters: {} })).toBe('the Basic credentials are malformed');
  });

  it('an assertion: its type, and iss = sub = the client', () => {
    const jwt = (header: object, payload: object) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
    const type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    expect(
      presentedCredentials({
        parameters: { client_assertion_type: type, client_assertion: jwt({ alg: 'HS256' }, { iss: 'c', sub: 'c' }) },
      }),
    ).toMatchObject({
      method: 'client_secret_jwt',
      clientId: 'c',
    });
    expect(
      presentedCredentials({
        parameters: { client_assertion_type: type, client_assertion: jwt({ alg: 'ES256' }, { iss: 'c', sub: 'c' }) },
      }),
    ).toMatchObject({
      method: 'private_key_jwt',
    });
    expect(refused({ parameters: { client_assertion_type: type, client_assertion: jwt({ alg: 'ES256' }, { iss: 'c', sub: 'd' }) } })).toBe(
      'the client assertion must carry the client_id as both iss and sub',
    );
    expect(refused({ parameters: { client_assertion_type: type, client_assertion: jwt({ alg: 'none' }, { iss: 'c', sub: 'c' }) } })).toBe(
      'the client assertion is not signed',
    );
    expect(refused({ parameters: { client_assertion_type: 'other', client_assertion: 'x' } })).toBe(
      `client_assertion_type must be ${type}`,
    );
    expect(refused({ parameters: { client_assertion_type: type, client_assertion: 'not a jwt' } })).toBe(
      'the client assertion is not a JWT',
    );
  });
});

describe('tls_client_auth subject DN', () => {
  const certificate = new X509Certificate(
    makeCertificate({ subject: '/C=DE/O=Example Org/CN=client one', subjectAltName: 'subjectAltName=DNS:a.example' }).cert,
  );

  it('matches the RFC 4514 string in any order and case, and nothing less or more', () => {
    expect(subjectMatches(certificate, 'CN=client one,O=Example Org,C=DE')).toBe(true);
    expect(subjectMatches(certificate, 'cn=Client One, o=example org, c=de')).toBe(true);
    expect(subjectMatches(certificate, 'CN=client one,O=Example Org')).toBe(false);
    expect(subjectMatches(certificate, 'CN=client one,O=Example Org,C=DE,OU=x')).toBe(false);
    expect(subjectMatches(certificate, 'CN=client two,O=Example Org,C=DE')).toBe(false);
  });
});

describe('the package export', () => {
  it('dcr-service/directory resolves to the composition entry', async () => {
    const entry = await import('dcr-service/directory');
    expect(typeof entry.createClientDirectory).toBe('function');
    expect(typeof entry.clientDirectoryFromEnv).toBe('function');
    expect(entry.InvalidClientError).toBe(InvalidClientError);
  });
});
