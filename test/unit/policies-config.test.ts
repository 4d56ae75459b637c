import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicies, parsePolicyConfig } from '../../lib/policies/config.js';
import { loadPolicies as loadPoliciesInForce, NO_POLICIES } from '../../lib/policies/pipeline.js';
import { PolicyConfigError } from '../../lib/policies/policy.js';
import { DEFAULT_SETTINGS } from '../../lib/settings/catalog.js';
import { settingsFromEnv } from '../../lib/settings/env-settings.js';
import { thrownBy } from '../support/thrown.js';

// The registration policy configuration is checked whole at load time: every mistake is named by its
// JSON path, and nothing of a refused document applies.

const JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

function refusal(config: unknown): PolicyConfigError {
  return thrownBy(() => parsePolicyConfig(typeof config === 'string' ? config : JSON.stringify(config)), PolicyConfigError);
}

describe('registration policy configuration', () => {
  describe('accepted', () => {
    it('the seed default {} (and an empty value) configures nothing', () => {
      for (const raw of [DEFAULT_SETTINGS.registrationPolicies, '', '  ']) {
        const config = parsePolicyConfig(raw);

        expect(config).toMatchObject({ anonymous: [], authenticated: [], caps: {}, active: false });
        expect(config.named.size).toBe(0);
      }
    });

    it('every built-in with every option, in three kinds of list, and caps', () => {
      const config = parsePolicyConfig(
        JSON.stringify({
          anonymous: [
            { policy: 'https-redirect-uris', allow_loopback: false, allow_private_use_schemes: true },
            {
              policy: 'trusted-redirect-hosts',
              hosts: ['app.example.com', '.Partner.Example'],
              also_check: ['client_uri', 'logo_uri'],
              allow_native_loopback: true,
            },
          ],
          authenticated: [
            { policy: 'response-types', allowed: ['code', 'id_token code'], unlisted: 'drop' },
            { policy: 'grant-types', allowed: ['authorization_code', 'refresh_token'], unlisted: 'reject' },
            { policy: 'scopes', allowed: ['openid', 'profile'], unlisted: 'drop', default: ['openid'] },
          ],
          named: {
            'partner-x': [
              {
                policy: 'software-statement',
                issuers: [
                  { issuer: 'https://ssa.example', jwks: { keys: [JWK] } },
                  { issuer: 'https://other.example', jwks_uri: 'https://other.example/jwks' },
                ],
                algorithms: ['ES256'],
                typ: 'software-statement+jwt',
                audience: 'https://dcr.example',
                required: true,
                allowed_software_ids: ['app-1'],
              },
            ],
          },
          caps: { total: 1000, per_subject: 10 },
        }),
      );

      expect(config.anonymous.map((policy) => policy.name)).toEqual(['https-redirect-uris', 'trusted-redirect-hosts']);
      expect(config.authenticated.map((policy) => policy.name)).toEqual(['response-types', 'grant-types', 'scopes']);
      expect(config.named.get('partner-x')!.map((policy) => policy.name)).toEqual(['software-statement']);
      expect(config.caps).toEqual({ total: 1000, per_subject: 10 });
      expect(config.active).toBe(true);
    });

    it('caps alone make the configuration active', () => {
      expect(parsePolicyConfig('{"caps":{"total":0}}').active).toBe(true);
    });
  });

  describe('refused, naming every problem by its path', () => {
    it.each<[string, unknown, RegExp]>([
      ['text that is not JSON', '{"anonymous": [', /not valid JSON/],
      ['a JSON array', [], /must be a JSON object/],
      ['an unknown top-level member', { anonymus: [] }, /unknown option "anonymus" of the configuration/],
      ['a list that is not an array', { anonymous: { policy: 'scopes' } }, /anonymous: must be an array/],
      ['an entry that is not an object', { anonymous: ['scopes'] }, /anonymous\[0\]: must be a policy object/],
      [
        'an unknown policy name',
        { authenticated: [{ policy: 'allow-everything' }] },
        /authenticated\[0\]\.policy: unknown policy "allow-everything"; known: response-types/,
      ],
      [
        'an unknown option',
        { anonymous: [{ policy: 'https-redirect-uris', allow_loopbak: false }] },
        /anonymous\[0\]\.allow_loopbak: unknown option "allow_loopbak" of policy https-redirect-uris/,
      ],
      [
        'an option of the wrong type',
        { anonymous: [{ policy: 'https-redirect-uris', allow_loopback: 'yes' }] },
        /anonymous\[0\]\.allow_loopback: must be true or false/,
      ],
      ['a missing required option', { anonymous: [{ policy: 'grant-types' }] }, /anonymous\[0\]\.allowed: is required/],
      [
        'an unknown grant type',
        { anonymous: [{ policy: 'grant-types', allowed: ['authorization_code', 'magic'] }] },
        /anonymous\[0\]\.allowed\[1\]: "magic" is not supported/,
      ],
      ['an empty grant type list', { anonymous: [{ policy: 'grant-types', allowed: [] }] }, /allowed: must hold at least 1 value/],
      [
        'an unknown unlisted mode',
        { anonymous: [{ policy: 'grant-types', allowed: ['implicit'], unlisted: 'ignore' }] },
        /unlisted: "ignore" is not supported; supported: reject, drop/,
      ],
      [
        'a response type that is not one',
        { anonymous: [{ policy: 'response-types', allowed: ['code code'] }] },
        /allowed\[0\]: "code code" is not a response type/,
      ],
      [
        'a scope that is not a scope token',
        { anonymous: [{ policy: 'scopes', allowed: ['read "all"'] }] },
        /allowed\[0\]: "read \\"all\\"" is not a scope token/,
      ],
      [
        'default scopes outside the allowed ones',
        { anonymous: [{ policy: 'scopes', allowed: ['a'], default: ['a', 'b'] }] },
        /"default" holds scopes that "allowed" does not: "b"/,
      ],
      ['a scopes policy with nothing to do', { anonymous: [{ policy: 'scopes', unlisted: 'drop' }] }, /needs "allowed", "default" or both/],
      [
        'a host with a path',
        { anonymous: [{ policy: 'trusted-redirect-hosts', hosts: ['app.example.com/cb'] }] },
        /hosts\[0\]: "app.example.com\/cb" is not a host name/,
      ],
      ['a host with a port', { anonymous: [{ policy: 'trusted-redirect-hosts', hosts: ['app.example.com:8443'] }] }, /hosts\[0\]/],
      ['a host with a scheme', { anonymous: [{ policy: 'trusted-redirect-hosts', hosts: ['https://app.example.com'] }] }, /hosts\[0\]/],
      [
        'a one-label domain suffix',
        { anonymous: [{ policy: 'trusted-redirect-hosts', hosts: ['.com'] }] },
        /hosts\[0\]: "\.com" is not a host name/,
      ],
      ['no hosts', { anonymous: [{ policy: 'trusted-redirect-hosts', hosts: [] }] }, /hosts: must hold at least 1 value/],
      [
        'an unknown also_check field',
        { anonymous: [{ policy: 'trusted-redirect-hosts', hosts: ['a.example'], also_check: ['jwks_uri'] }] },
        /also_check\[0\]: "jwks_uri" is not supported/,
      ],
      [
        'a software statement issuer without keys',
        { anonymous: [{ policy: 'software-statement', issuers: [{ issuer: 'https://ssa.example' }] }] },
        /issuers\[0\]: needs exactly one of "jwks_uri" and "jwks"/,
      ],
      [
        'an issuer with both key sources',
        {
          anonymous: [
            {
              policy: 'software-statement',
              issuers: [{ issuer: 'https://ssa.example', jwks: { keys: [JWK] }, jwks_uri: 'https://ssa.example/jwks' }],
            },
          ],
        },
        /needs exactly one/,
      ],
      [
        'an issuer JWKS URL over plain http',
        {
          anonymous: [{ policy: 'software-statement', issuers: [{ issuer: 'https://ssa.example', jwks_uri: 'http://ssa.example/jwks' }] }],
        },
        /jwks_uri: "http:\/\/ssa.example\/jwks" must be an https URL/,
      ],
      [
        'a private key in an inline JWKS',
        {
          anonymous: [
            { policy: 'software-statement', issuers: [{ issuer: 'https://ssa.example', jwks: { keys: [{ ...JWK, d: 'secret' }] } }] },
          ],
        },
        /keys\[0\]: must be a public key/,
      ],
      [
        'a symmetric key in an inline JWKS',
        {
          anonymous: [
            { policy: 'software-statement', issuers: [{ issuer: 'https://ssa.example', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }] },
          ],
        },
        /must be a public key/,
      ],
      [
        'an HMAC algorithm',
        {
          anonymous: [
            { policy: 'software-statement', issuers: [{ issuer: 'https://ssa.example', jwks: { keys: [JWK] } }], algorithms: ['HS256'] },
          ],
        },
        /algorithms\[0\]: "HS256" is not supported/,
      ],
      [
        'an unknown option of an issuer',
        { anonymous: [{ policy: 'software-statement', issuers: [{ issuer: 'https://ssa.example', jwks: { keys: [JWK] }, jku: 'x' }] }] },
        /issuers\[0\]\.jku: unknown option "jku" of a trusted issuer/,
      ],
      [
        'the same issuer twice',
        {
          anonymous: [
            {
              policy: 'software-statement',
              issuers: [
                { issuer: 'https://a.example', jwks: { keys: [JWK] } },
                { issuer: 'https://a.example', jwks: { keys: [JWK] } },
              ],
            },
          ],
        },
        /lists an issuer twice/,
      ],
      ['a named list called like a base list', { named: { authenticated: [] } }, /named\.authenticated: "authenticated" is reserved/],
      ['a named list with a bad name', { named: { 'has space': [] } }, /"has space" is not a list name/],
      ['a negative cap', { caps: { total: -1 } }, /caps\.total: must not be negative/],
      ['a fractional cap', { caps: { per_subject: 1.5 } }, /caps\.per_subject: must be a whole number/],
      ['an unknown cap', { caps: { per_client: 3 } }, /caps\.per_client: unknown option "per_client" of caps/],
    ])('%s', (_what, config, says) => {
      const error = refusal(config);

      expect(error.message).toMatch(says);
    });

    it('names every problem of the document at once, across lists', () => {
      const error = refusal({
        anonymous: [{ policy: 'https-redirect-uris', allow_loopback: 1 }],
        named: { x: [{ policy: 'grant-types', allowed: ['nope'] }] },
      });

      expect(error.problems).toEqual([
        expect.stringMatching(/^anonymous\[0\]\.allow_loopback: /),
        expect.stringMatching(/^named\.x\[0\]\.allowed\[0\]: /),
      ]);
    });
  });

  describe('loading', () => {
    it('builds a setting value once and reuses it until the value changes', () => {
      const raw = JSON.stringify({ caps: { total: 3 } });

      const first = loadPolicies(raw);
      const again = loadPolicies(raw);
      const other = loadPolicies(JSON.stringify({ caps: { total: 4 } }));

      expect(again).toBe(first);
      expect(other).not.toBe(first);
      expect(other.caps.total).toBe(4);
    });

    it('knows the default (blank or {}) configures nothing without loading the policy module', async () => {
      for (const raw of ['', '  ', '{}', ' { } ']) {
        expect(await loadPoliciesInForce(raw)).toBe(NO_POLICIES);
        // what config.ts would have built from it
        expect(NO_POLICIES).toEqual(parsePolicyConfig(raw));
      }
    });

    it('loads the policy module for a value that configures something, and reuses its configuration', async () => {
      const raw = JSON.stringify({ anonymous: [{ policy: 'scopes', allowed: ['openid'] }] });

      const config = await loadPoliciesInForce(raw);

      expect(config).toBe(loadPolicies(raw));
      expect(config.active).toBe(true);
      await expect(loadPoliciesInForce('{"caps": {"total": 0.5}}')).rejects.toThrow(PolicyConfigError);
    });

    it('refuses a bad value on every load, not only the first', () => {
      const raw = '{"anonymous": [{"policy": "nope"}]}';

      expect(() => loadPolicies(raw)).toThrow(PolicyConfigError);
      expect(() => loadPolicies(raw)).toThrow(PolicyConfigError);
    });
  });

  describe('in local mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcr-policies-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads DCR_REGISTRATION_POLICIES', () => {
      const raw = '{"caps":{"total":7}}';

      const settings = settingsFromEnv({ DCR_REGISTRATION_POLICIES: raw });

      expect(settings.registrationPolicies).toBe(raw);
    });

    it('reads the document from the file DCR_REGISTRATION_POLICIES_FILE names', () => {
      const path = join(dir, 'policies.json');
      writeFileSync(path, '{\n  "caps": {"per_subject": 2}\n}\n');

      const settings = settingsFromEnv({ DCR_REGISTRATION_POLICIES_FILE: path });

      expect(loadPolicies(settings.registrationPolicies).caps).toEqual({ per_subject: 2 });
    });

    it('refuses to start with a bad document, naming the variable and the problem', () => {
      expect(() => settingsFromEnv({ DCR_REGISTRATION_POLICIES: '{"anonymous":[{"policy":"scopes","alowed":[]}]}' })).toThrow(
        /^DCR_REGISTRATION_POLICIES: .*anonymous\[0\]\.alowed: unknown option "alowed"/,
      );
    });

    it('refuses to start with a bad file, naming the file', () => {
      const path = join(dir, 'bad.json');
      writeFileSync(path, '{"caps": {"total": "many"}}');

      expect(() => settingsFromEnv({ DCR_REGISTRATION_POLICIES_FILE: path })).toThrow(
        /^DCR_REGISTRATION_POLICIES_FILE \(.*bad\.json\): .*caps\.total: must be a number/,
      );
    });

    it('refuses a file that cannot be read, and both variables at once', () => {
      expect(() => settingsFromEnv({ DCR_REGISTRATION_POLICIES_FILE: join(dir, 'missing.json') })).toThrow(
        /cannot read .*missing\.json \(ENOENT\)/,
      );
      expect(() =>
        settingsFromEnv({ DCR_REGISTRATION_POLICIES: '{}', DCR_REGISTRATION_POLICIES_FILE: join(dir, 'policies.json') }),
      ).toThrow(/both set/);
    });
  });
});
