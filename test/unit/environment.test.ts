import { describe, expect, it } from 'vitest';
import { runtimeFromEnv } from '../../lib/runtime/from-env.js';
import { ENVIRONMENT, EnvironmentError, environmentOf, readEnvironment } from '../../lib/settings/environment.js';
import { ENVIRONMENT_DOCS } from '../../lib/settings/environment-docs.js';
import { thrownBy } from '../support/thrown.js';

// The environment catalogue: every variable outside the settings table, parsed strictly (a value that
// does not parse is refused with its name, never silently replaced by a default).

describe('readEnvironment', () => {
  it('parses the values a deployment sets', () => {
    // Act
    const environment = readEnvironment({
      DCR_TABLE_NAME: 'clients',
      DCR_SSM_PREFIX: '/dcr/prod/',
      DCR_SETTINGS_TTL_SECONDS: '30',
      DCR_PUBLIC_BASE_URL: 'https://dcr.example.com/',
      DCR_IAT_JWKS_URI: 'https://idp.example.com/jwks',
      DCR_LOG_LEVEL: 'WARN',
      DCR_LOCAL_SECRET_KEY: Buffer.alloc(32, 7).toString('base64url'),
      PORT: '0',
      UNRELATED: 'ignored',
    });

    // Assess
    expect(environment).toEqual({
      tableName: 'clients',
      ssmPrefix: '/dcr/prod/',
      settingsTtlSeconds: 30,
      publicBaseUrl: 'https://dcr.example.com',
      iatJwksUri: 'https://idp.example.com/jwks',
      logLevel: 'warn',
      localSecretKey: Buffer.alloc(32, 7),
      port: 0,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(readEnvironment({ DCR_TABLE_NAME: '', DCR_LOG_LEVEL: '' })).toEqual({});
  });

  it.each([
    ['DCR_LOG_LEVEL', 'verbose', /DCR_LOG_LEVEL must be one of debug, info, warn, error, silent, not "verbose"/],
    ['DCR_PUBLIC_BASE_URL', 'javascript:alert(1)//', /DCR_PUBLIC_BASE_URL must be an http\(s\) URL/],
    ['DCR_PUBLIC_BASE_URL', 'https://dcr.example.com/?next=x', /DCR_PUBLIC_BASE_URL must not carry credentials, a query or a fragment/],
    ['DCR_PUBLIC_BASE_URL', 'dcr.example.com', /DCR_PUBLIC_BASE_URL must be an absolute http\(s\) URL/],
    ['DCR_IAT_JWKS_URI', 'http://idp.example.com/jwks', /DCR_IAT_JWKS_URI must be an https URL/],
    ['DCR_IAT_INTROSPECTION_URL', 'ftp://idp.example.com/introspect', /DCR_IAT_INTROSPECTION_URL must be an https URL/],
    ['DCR_SETTINGS_TTL_SECONDS', '-1', /DCR_SETTINGS_TTL_SECONDS must be a number of seconds/],
    ['DCR_SETTINGS_TTL_SECONDS', 'soon', /DCR_SETTINGS_TTL_SECONDS must be a number of seconds/],
    ['DCR_IAT_INTROSPECTION_CACHE_SECONDS', '1e3', /DCR_IAT_INTROSPECTION_CACHE_SECONDS must be a number of seconds/],
    ['DCR_LOCAL_SECRET_KEY', 'c2hvcnQ', /DCR_LOCAL_SECRET_KEY must be 32 bytes in base64url/],
    ['PORT', '70000', /PORT must be a port number/],
    ['DCR_TABLE_NAME', '   ', /DCR_TABLE_NAME is blank/],
    ['DCR_IAT_ISSUER', ' \t', /DCR_IAT_ISSUER is blank/],
  ])('refuses %s=%j, naming the variable', (name, value, message) => {
    // Act
    const error = thrownBy(() => readEnvironment({ [name]: value }), EnvironmentError);

    // Assess
    expect((error as Error).message).toMatch(message);
  });

  it('names every variable that does not parse at once', () => {
    const error = thrownBy(() => readEnvironment({ DCR_LOG_LEVEL: 'loud', PORT: 'x', DCR_TABLE_NAME: 'ok' }), EnvironmentError);
    expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual(['DCR_LOG_LEVEL', 'PORT']);
  });

  it('refuses http to anything but this machine for the URLs that carry tokens or secrets', () => {
    expect(readEnvironment({ DCR_IAT_JWKS_URI: 'http://127.0.0.1:8080/jwks' }).iatJwksUri).toBe('http://127.0.0.1:8080/jwks');
    expect(readEnvironment({ DCR_IAT_JWKS_URI: 'http://[::1]:8080/jwks' }).iatJwksUri).toBe('http://[::1]:8080/jwks');
    expect(() => readEnvironment({ DCR_IAT_JWKS_URI: 'http://localhost.evil.example/jwks' })).toThrow(EnvironmentError);
  });
});

describe('the runtime reads the environment only through the catalogue', () => {
  it('refuses to build with a bad value instead of falling back (a typo never flips a setting)', () => {
    expect(() => runtimeFromEnv({ DCR_LOG_LEVEL: 'verbose' })).toThrow(/DCR_LOG_LEVEL/);
    expect(() => runtimeFromEnv({ DCR_PUBLIC_BASE_URL: 'javascript:alert(1)//' })).toThrow(/DCR_PUBLIC_BASE_URL/);
    expect(() => runtimeFromEnv({ DCR_SETTINGS_TTL_SECONDS: 'x', DCR_SSM_PREFIX: '/dcr/dev/' })).toThrow(/DCR_SETTINGS_TTL_SECONDS/);
  });

  it('refuses a JWKS URI without its issuer', () => {
    expect(() => runtimeFromEnv({ DCR_IAT_JWKS_URI: 'https://idp.example.com/jwks' })).toThrow(/DCR_IAT_JWKS_URI needs DCR_IAT_ISSUER/);
  });
});

describe('environmentOf', () => {
  it('names each value by the catalogue and leaves out what is undefined', () => {
    expect(environmentOf({ tableName: 't', stage: 'dev', iatIssuer: undefined })).toEqual({ DCR_TABLE_NAME: 't', DCR_STAGE: 'dev' });
  });

  it('has one variable per name', () => {
    const names = Object.values(ENVIRONMENT).map((definition) => definition.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the prose of the catalogue (environment-docs.ts, which the functions do not load)', () => {
  it('describes every variable once and no variable the catalogue lacks', () => {
    // Act
    const described = Object.keys(ENVIRONMENT_DOCS);

    // Assess
    expect(described.sort()).toEqual(Object.keys(ENVIRONMENT).sort());
    for (const doc of Object.values(ENVIRONMENT_DOCS)) {
      expect(doc.meaning.trim()).not.toBe('');
      expect(doc.whenUnset.trim()).not.toBe('');
      expect(doc.setBy.length).toBeGreaterThan(0);
    }
  });
});
