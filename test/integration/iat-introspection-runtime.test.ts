// The introspection form as the runtime builds it from the environment in AWS: the client secret is
// an SSM SecureString. SSM cannot run on this machine (no emulator, no network), so a local SSM
// (test/support/ssm-server.ts, checking signatures) holds it; the introspection endpoint and DynamoDB are real (local).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInitialAccessToken } from '../../infra/admin/iat-commands.js';
import { initialAccessTokensFromEnv } from '../../lib/runtime/initial-access-tokens.js';
import { createDocumentClient } from '../../lib/store/dynamodb-client-store.js';
import { DynamoDbInitialAccessTokenStore, ensureInitialAccessTokenTable } from '../../lib/store/dynamodb-initial-access-token-store.js';
import { expectError, REGISTRATION_PATH, useHarness } from '../support/harness.js';
import { ACCESS_DENIED, LocalSsm, THROTTLED } from '../support/ssm-server.js';
import { IntrospectionEndpoint } from './iat-introspection-endpoint.js';

const CLIENT_ID = 'dcr-service';
const CLIENT_SECRET = 'secret-from-ssm';
const PARAMETER = '/dcr/test/introspection-client-secret';
const TABLE = 'dcr-initial-access-tokens-runtime';
const METADATA = { redirect_uris: ['https://app.example/cb'] };

describe('initial access tokens configured from the environment (introspection secret in SSM, service tokens)', () => {
  const endpoint = new IntrospectionEndpoint(CLIENT_ID, CLIENT_SECRET);
  const ssm = new LocalSsm();
  let dynamoDbConfig: Parameters<typeof createDocumentClient>[0];
  const h = useHarness(async () => {
    await endpoint.start();
    await ssm.start();
    return {
      initialAccessTokens: ({ dynamoDb }) => {
        dynamoDbConfig = dynamoDb;
        return initialAccessTokensFromEnv(
          {
            DCR_IAT_ISSUER: 'https://as.example.test',
            DCR_IAT_INTROSPECTION_URL: endpoint.url,
            DCR_IAT_INTROSPECTION_CLIENT_ID: CLIENT_ID,
            DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER: PARAMETER,
            DCR_IAT_TABLE_NAME: TABLE,
          },
          { ssm: ssm.reader(), dynamoDb },
        );
      },
    };
  });
  afterAll(async () => {
    await endpoint.close();
    await ssm.close();
  });
  beforeAll(async () => {
    const raw = new DynamoDBClient(dynamoDbConfig!);
    await ensureInitialAccessTokenTable(raw, TABLE);
    raw.destroy();
  });
  beforeEach(() => {
    endpoint.reset();
  });

  const active = (token: string) => {
    endpoint.answers.set(token, {
      active: true,
      iss: 'https://as.example.test',
      scope: 'dcr:register',
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    return token;
  };
  const post = (token: string) => h.call('POST', REGISTRATION_PATH, { body: METADATA, token });

  // the first test of the file: the runtime has not read its secret yet
  it('reads the secret parameter once, decrypted, on the first introspection, and authenticates with it', async () => {
    ssm.put(PARAMETER, CLIENT_SECRET, 'SecureString');

    const first = await post(active('opaque-a'));
    const second = await post(active('opaque-b'));

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(endpoint.calls.map((call) => call.authenticated)).toEqual([true, true]);
    expect(ssm.inputs('GetParameter')).toEqual([{ Name: PARAMETER, WithDecryption: true }]);
    expect(ssm.badSignatures).toEqual([]);
  });

  it('a token of this service is checked in the table, not by introspection', async () => {
    const tokens = new DynamoDbInitialAccessTokenStore(createDocumentClient(dynamoDbConfig), TABLE);
    const { token } = await createInitialAccessToken(tokens, {
      subject: 'team-a',
      scopes: ['dcr:register'],
      uses: 1,
      expiresInSeconds: 600,
    });

    const res = await post(token);

    expect(res.status).toBe(201);
    expect(endpoint.callCount()).toBe(0);
  });

  it('a JWT goes to introspection when no JWKS is configured (DCR_IAT_ISSUER alone checks the answer)', async () => {
    const jwt = active(await h.initialAccessToken());

    const res = await post(jwt);

    expect(res.status).toBe(201);
    expect(endpoint.calls.map((call) => call.token)).toEqual([jwt]);
  });

  it('an unreadable secret parameter: 503 naming the setting; nothing stored, no introspection call', async () => {
    // a fresh runtime has no secret yet: build one whose read fails
    ssm.reset();
    ssm.always = ACCESS_DENIED;
    const verifier = initialAccessTokensFromEnv(
      {
        DCR_IAT_INTROSPECTION_URL: endpoint.url,
        DCR_IAT_INTROSPECTION_CLIENT_ID: CLIENT_ID,
        DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER: PARAMETER,
      },
      { ssm: ssm.reader() },
    )!;

    const error = await verifier.verify(active('opaque-c')).catch((reason: unknown) => reason);

    expect(error).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
      description: expect.stringContaining('DCR_IAT_INTROSPECTION_CLIENT_SECRET_PARAMETER'),
    });
    expect(endpoint.callCount()).toBe(0);
  });

  it('keeps the secret it read: a later SSM outage does not touch registrations', async () => {
    ssm.put(PARAMETER, CLIENT_SECRET, 'SecureString');
    expect((await post(active('opaque-d'))).status).toBe(201);
    ssm.reset();
    ssm.always = THROTTLED;

    const res = await post(active('opaque-e'));

    expect(res.status).toBe(201);
    expect(ssm.requests).toHaveLength(0);
  });

  it('with introspection configured, every token but a dcriat_ one is introspected: an unknown one is inactive (401)', async () => {
    const res = await post('never-issued');

    expectError(res, 401, 'invalid_token');
    expect(endpoint.callCount()).toBe(1);
  });
});
