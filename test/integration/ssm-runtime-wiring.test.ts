// The runtime reads SSM on its DynamoDB client's pieces (credentials, region, hash, HTTP handler) at the
// endpoint of AWS_ENDPOINT_URL_SSM, as a function in AWS or under LocalStack does: the local SSM checks
// each signature against the credentials the DynamoDB client was given, so a wiring that signed with
// anything else fails here.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { coreFromEnv } from '../../lib/runtime/core.js';
import { initialAccessTokensOf } from '../../lib/runtime/initial-access-tokens.js';
import { readEnvironment } from '../../lib/settings/environment.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { LocalSsm, SSM_CREDENTIALS, SSM_REGION } from '../support/ssm-server.js';
import { IntrospectionEndpoint } from './iat-introspection-endpoint.js';

const PREFIX = '/dcr/wiring/';
const DYNAMODB = { region: SSM_REGION, credentials: SSM_CREDENTIALS };

describe('SSM as the runtime wires it', () => {
  const ssm = new LocalSsm();

  beforeAll(async () => {
    await ssm.start();
  });
  afterAll(() => ssm.close());
  beforeEach(() => {
    ssm.reset();
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['with the table (as in AWS)', { DCR_TABLE_NAME: 'dcr-clients' }],
    ['without a table', {}],
  ])('settings: read under DCR_SSM_PREFIX, signed with the DynamoDB client credentials (%s)', async (_case, table) => {
    ssm.put(`${PREFIX}registration-enabled`, 'true');
    ssm.put(`${PREFIX}allow-client-delete`, 'false');
    const { runtime } = coreFromEnv({ DCR_SSM_PREFIX: PREFIX, ...table }, { dynamoDb: DYNAMODB });

    const settings = await runtime.dependencies.settings.current();

    expect({ registrationEnabled: settings.registrationEnabled, allowClientDelete: settings.allowClientDelete }).toEqual({
      registrationEnabled: true,
      allowClientDelete: false,
    });
    expect(ssm.requests.length).toBeGreaterThan(0);
    expect(ssm.badSignatures).toEqual([]);
  });

  it('the introspection client secret: read with decryption on the DynamoDB client pieces, and used', async () => {
    const endpoint = new IntrospectionEndpoint('dcr-service', 'secret-from-ssm');
    await endpoint.start();
    try {
      ssm.put('/dcr/wiring/introspection-client-secret', 'secret-from-ssm', 'SecureString');
      endpoint.answers.set('opaque', { active: true, scope: 'dcr:register', exp: Math.floor(Date.now() / 1000) + 600 });
      const verifier = initialAccessTokensOf(
        readEnvironment({
          DCR_IAT_INTROSPECTION_URL: endpoint.url,
          DCR_IAT_INTROSPECTION_CLIENT_ID: 'dcr-service',
          DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER: '/dcr/wiring/introspection-client-secret',
        }),
        { documents: createDocumentClient(DYNAMODB) },
      )!;

      await verifier.verify('opaque');

      expect(ssm.inputs('GetParameter')).toEqual([{ Name: '/dcr/wiring/introspection-client-secret', WithDecryption: true }]);
      expect(ssm.badSignatures).toEqual([]);
      expect(endpoint.calls.map((call) => call.authenticated)).toEqual([true]);
    } finally {
      await endpoint.close();
    }
  });
});
