import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  MAX_EXTENDED_PROPERTIES,
  SETTINGS,
  type SettingDefinition,
  type Settings,
  SettingValueError,
  settingsFromStrings,
} from '../../lib/settings/catalog.js';
import { SETTING_LABELS } from '../../lib/settings/catalog-docs.js';
import { settingsFromEnv } from '../../lib/settings/env-settings.js';
import { thrownBy } from '../support/thrown.js';

/** Settings where only `key` has a value, `raw`; the others take their defaults. */
function withValue(key: keyof Settings, raw: string): Settings {
  return settingsFromStrings((definition: SettingDefinition) => (definition.key === key ? raw : undefined));
}

function valueError(act: () => unknown): SettingValueError {
  return thrownBy(act, SettingValueError);
}

const BOOLEAN_KEYS = SETTINGS.filter((definition) => definition.kind === 'boolean').map((definition) => definition.key);

describe('settings catalog', () => {
  it('has the defaults of docs/reference.md', () => {
    // Act
    const defaults = DEFAULT_SETTINGS;

    // Assess
    expect(defaults.registrationEnabled).toBe(false);
    expect(defaults.requireInitialAccessToken).toBe(true);
    expect(defaults.managementEnabled).toBe(false);
    expect(defaults.rotateClientSecret).toBe(true);
    expect(defaults.rotateRegistrationAccessToken).toBe(true);
    expect(defaults.allowClientDelete).toBe(true);
    expect(defaults.initialAccessTokenScopes).toEqual(['dcr:register']);
    expect(defaults.extendedProperties).toEqual([]);
  });

  it('reads durations as whole seconds from 0 to ten years, and refuses units, fractions and signs', () => {
    expect(withValue('clientIdleLifetimeSeconds', '7776000').clientIdleLifetimeSeconds).toBe(7_776_000);
    expect(withValue('registrationAccessTokenGraceSeconds', ' 0 ').registrationAccessTokenGraceSeconds).toBe(0);
    expect(DEFAULT_SETTINGS.clientSecretLifetimeSeconds).toBe(0);
    expect(DEFAULT_SETTINGS.clientSecretRetentionSeconds).toBe(0);
    for (const bad of ['30m', '1.5', '-1', '1e3', '316224001', 'ten']) {
      expect(valueError(() => withValue('clientSecretRetentionSeconds', bad)).setting).toBe('client-secret-retention');
    }
  });

  it('gives every setting its own key, SSM parameter and environment variable', () => {
    // Act
    const keys = new Set(SETTINGS.map((definition) => definition.key));
    const parameters = new Set(SETTINGS.map((definition) => definition.parameter));
    const envVars = new Set(SETTINGS.map((definition) => definition.envVar));

    // Assess
    expect(keys.size).toBe(SETTINGS.length);
    expect(parameters.size).toBe(SETTINGS.length);
    expect(envVars.size).toBe(SETTINGS.length);
    expect([...keys].sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    for (const definition of SETTINGS) {
      expect(definition.parameter).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(definition.envVar).toMatch(/^DCR_[A-Z0-9_]+$/);
      // SSM refuses empty values, so every seed default must be a non-empty string
      expect(definition.defaultValue).not.toBe('');
    }
  });

  it('has one label per setting (the SSM description, kept out of the functions) and none for a setting it lacks', () => {
    // Act
    const labelled = Object.keys(SETTING_LABELS);

    // Assess
    expect(labelled.sort()).toEqual(SETTINGS.map((definition) => definition.key).sort());
    for (const label of Object.values(SETTING_LABELS)) {
      // SSM takes a parameter description of at most 1024 characters
      expect(label.trim().length).toBeGreaterThan(0);
      expect(label.length).toBeLessThanOrEqual(1024);
    }
  });

  describe('boolean values', () => {
    it.each([
      ['true', true],
      ['TRUE', true],
      ['True', true],
      ['on', true],
      ['ON', true],
      ['1', true],
      [' true ', true],
      ['false', false],
      ['FALSE', false],
      ['False', false],
      ['off', false],
      ['Off', false],
      ['0', false],
      ['false\n', false],
    ])('reads %j as %s', (raw, expected) => {
      for (const key of BOOLEAN_KEYS) {
        // Act
        const settings = withValue(key, raw);

        // Assess
        expect(settings[key]).toBe(expected);
      }
    });

    it.each(['maybe', 'enabled', 'tru', '2', '-1', 'true false', 'null', '"true"'])('refuses %j with SettingValueError', (raw) => {
      for (const key of BOOLEAN_KEYS) {
        // Act
        const error = valueError(() => withValue(key, raw));

        // Assess
        const definition = SETTINGS.find((candidate) => candidate.key === key)!;
        expect(error.setting).toBe(definition.parameter);
        expect(error.value).toBe(raw);
        expect(error.message).toContain(definition.parameter);
      }
    });
  });

  it('refuses a blank boolean', () => {
    for (const key of BOOLEAN_KEYS) expect(valueError(() => withValue(key, ' ')).value).toBe(' ');
  });

  describe('scopes', () => {
    it('splits the scope group on any whitespace', () => {
      // Act
      const settings = withValue('initialAccessTokenScopes', ' dcr:register  dcr:admin\tops\nwrite ');

      // Assess
      expect(settings.initialAccessTokenScopes).toEqual(['dcr:register', 'dcr:admin', 'ops', 'write']);
    });

    it('reads a single scope', () => {
      expect(withValue('initialAccessTokenScopes', 'register').initialAccessTokenScopes).toEqual(['register']);
    });

    it.each([
      ['blank', ' '],
      ['only whitespace', '\t \n'],
      ['a double quote in a scope (not an RFC 6749 scope-token)', 'dcr:register "admin"'],
      ['a backslash in a scope', 'dcr\\register'],
      ['a control character in a scope', 'dcr:register\u0000'],
    ])('refuses %s with SettingValueError: an empty group would switch the scope check off', (_case, raw) => {
      // Act
      const error = valueError(() => withValue('initialAccessTokenScopes', raw));

      // Assess
      expect(error.setting).toBe('initial-access-token-scopes');
    });
  });

  describe('extended properties', () => {
    it('reads a valid list, multiValued defaulting to false', () => {
      // Act
      const settings = withValue(
        'extendedProperties',
        '[{"name":"tenant"},{"name":"roles","multiValued":true},{"name":"org.unit:code-1_x","multiValued":false}]',
      );

      // Assess
      expect(settings.extendedProperties).toEqual([
        { name: 'tenant', multiValued: false },
        { name: 'roles', multiValued: true },
        { name: 'org.unit:code-1_x', multiValued: false },
      ]);
    });

    it(`accepts exactly ${MAX_EXTENDED_PROPERTIES} properties`, () => {
      // Prepare
      const list = Array.from({ length: MAX_EXTENDED_PROPERTIES }, (_, index) => ({ name: `p${index}` }));

      // Act
      const settings = withValue('extendedProperties', JSON.stringify(list));

      // Assess
      expect(settings.extendedProperties).toHaveLength(MAX_EXTENDED_PROPERTIES);
    });

    it.each([
      ['invalid JSON', '[{"name":"tenant"'],
      ['not an array', '{"name":"tenant"}'],
      ['a duplicate name', '[{"name":"tenant"},{"name":"tenant","multiValued":true}]'],
      ['a name starting with a digit', '[{"name":"1tenant"}]'],
      ['a name with a space', '[{"name":"the tenant"}]'],
      ['an empty name', '[{"name":""}]'],
      ['a name of 65 characters', JSON.stringify([{ name: `a${'b'.repeat(64)}` }])],
      ['a missing name', '[{"multiValued":true}]'],
      ['a name that is not a string', '[{"name":42}]'],
      ['a multiValued that is not a boolean', '[{"name":"tenant","multiValued":"yes"}]'],
      ['a null entry', '[null]'],
      [
        `${MAX_EXTENDED_PROPERTIES + 1} properties`,
        JSON.stringify(Array.from({ length: MAX_EXTENDED_PROPERTIES + 1 }, (_, index) => ({ name: `p${index}` }))),
      ],
    ])('refuses %s with SettingValueError', (_case, raw) => {
      // Act
      const error = valueError(() => withValue('extendedProperties', raw));

      // Assess
      expect(error.setting).toBe('extended-properties');
    });

    it.each([
      'client_name',
      'redirect_uris',
      'token_endpoint_auth_method',
      'scope',
      'client_id',
      'client_secret',
      'client_id_issued_at',
      'client_secret_expires_at',
      'registration_access_token',
      'registration_client_uri',
      'software_statement',
    ])('refuses an extended property named %s (a standard field or a member of the client information)', (name) => {
      // Act
      const error = valueError(() => withValue('extendedProperties', JSON.stringify([{ name: 'tenant' }, { name }])));

      // Assess
      expect(error.setting).toBe('extended-properties');
      expect(error.message).toContain(name);
    });

    it('refuses a blank value', () => {
      expect(valueError(() => withValue('extendedProperties', '  ')).setting).toBe('extended-properties');
    });

    it('accepts a name of 64 characters', () => {
      const name = `a${'b'.repeat(63)}`;
      expect(withValue('extendedProperties', JSON.stringify([{ name }])).extendedProperties).toEqual([{ name, multiValued: false }]);
    });
  });

  describe('settingsFromEnv', () => {
    it('reads the document hosts of Client ID Metadata Documents: * is any host, a bad entry is refused', () => {
      expect(DEFAULT_SETTINGS.clientIdMetadataDocumentHosts).toEqual([]);
      expect(settingsFromEnv({ DCR_CLIENT_ID_METADATA_HOSTS: '*' }).clientIdMetadataDocumentHosts).toEqual([]);
      for (const bad of ['https://vscode.dev', 'vscode.dev:443', '.com', 'a b/c']) {
        expect(() => settingsFromEnv({ DCR_CLIENT_ID_METADATA_HOSTS: bad })).toThrow(/DCR_CLIENT_ID_METADATA_HOSTS/);
      }
    });

    it('takes the documented defaults when no variable is set', () => {
      expect(settingsFromEnv({})).toEqual(DEFAULT_SETTINGS);
    });

    it('reads each setting from its DCR_* variable', () => {
      // Prepare
      const env = {
        DCR_REGISTRATION_ENABLED: 'true',
        DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'off',
        DCR_INITIAL_ACCESS_TOKEN_SCOPES: 'a b',
        DCR_MANAGEMENT_ENABLED: '1',
        DCR_ROTATE_CLIENT_SECRET: 'false',
        DCR_ROTATE_REGISTRATION_ACCESS_TOKEN: '0',
        DCR_ALLOW_CLIENT_DELETE: 'OFF',
        DCR_EXTENDED_PROPERTIES: '[{"name":"tenant"}]',
        DCR_REGISTRATION_POLICIES: '{"caps":{"total":5}}',
        DCR_REGISTRATION_ACCESS_TOKEN_GRACE: '300',
        DCR_CLIENT_SECRET_RETENTION: '86400',
        DCR_CLIENT_SECRET_LIFETIME: '31536000',
        DCR_CLIENT_IDLE_LIFETIME: '7776000',
        DCR_ALLOW_NON_PUBLIC_SERVER_URIS: 'yes',
        DCR_CLIENT_ID_METADATA_DOCUMENTS: 'yes',
        DCR_CLIENT_ID_METADATA_HOSTS: 'vscode.dev, .Claude.ai',
      };

      // Act
      const settings = settingsFromEnv(env);

      // Assess
      const expected: Settings = {
        registrationEnabled: true,
        requireInitialAccessToken: false,
        initialAccessTokenScopes: ['a', 'b'],
        managementEnabled: true,
        rotateClientSecret: false,
        rotateRegistrationAccessToken: false,
        allowClientDelete: false,
        extendedProperties: [{ name: 'tenant', multiValued: false }],
        registrationPolicies: '{"caps":{"total":5}}',
        registrationAccessTokenGraceSeconds: 300,
        clientSecretRetentionSeconds: 86_400,
        clientSecretLifetimeSeconds: 31_536_000,
        clientIdleLifetimeSeconds: 7_776_000,
        allowNonPublicServerUris: true,
        clientIdMetadataDocumentsEnabled: true,
        clientIdMetadataDocumentHosts: ['vscode.dev', '.claude.ai'],
      };
      expect(settings).toEqual(expected);
    });

    it('uses the fallback for unset variables, and the default where the fallback has no value', () => {
      // Prepare: local mode turns registration and management on unless the environment says otherwise
      const fallback = { registrationEnabled: true, managementEnabled: true };

      // Act
      const settings = settingsFromEnv({ DCR_ROTATE_CLIENT_SECRET: 'false' }, fallback);

      // Assess
      expect(settings).toEqual({ ...DEFAULT_SETTINGS, registrationEnabled: true, managementEnabled: true, rotateClientSecret: false });
    });

    it('lets a set variable win over the fallback', () => {
      // Act
      const settings = settingsFromEnv({ DCR_REGISTRATION_ENABLED: 'false' }, { registrationEnabled: true });

      // Assess
      expect(settings.registrationEnabled).toBe(false);
    });

    it.each(SETTINGS.map((definition) => [definition.envVar]))(
      'refuses %s set but blank, naming it (blank means nothing here)',
      (envVar) => {
        for (const blank of ['', ' ', '\t\n']) {
          // Act
          const error = valueError(() => settingsFromEnv({ [envVar]: blank }, { registrationEnabled: true }));

          // Assess
          expect(error.setting).toBe(envVar);
          expect(error.message).toContain(envVar);
        }
      },
    );

    it('refuses DCR_INITIAL_ACCESS_TOKEN_SCOPES=" " instead of switching the scope check off', () => {
      // Act
      const error = valueError(() => settingsFromEnv({ DCR_INITIAL_ACCESS_TOKEN_SCOPES: ' ' }));

      // Assess
      expect(error.setting).toBe('DCR_INITIAL_ACCESS_TOKEN_SCOPES');
    });

    it('throws SettingValueError naming the environment variable for a value that does not parse, instead of falling back', () => {
      // Act
      const error = valueError(() => settingsFromEnv({ DCR_REQUIRE_INITIAL_ACCESS_TOKEN: 'nope' }, { requireInitialAccessToken: false }));

      // Assess
      expect(error.setting).toBe('DCR_REQUIRE_INITIAL_ACCESS_TOKEN');
    });

    it('ignores unrelated variables', () => {
      expect(settingsFromEnv({ REGISTRATION_ENABLED: 'true', DCR_TABLE_NAME: 'clients' })).toEqual(DEFAULT_SETTINGS);
    });
  });
});
