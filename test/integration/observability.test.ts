// What an operator sees of each request on stdout: one EMF metrics line (namespace DcrService, the
// dimensions the alarms use), one request line with the Lambda context, and one audit line for every
// change of a client, naming fields but never a secret, a token or a hash.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countMetric } from '../../lib/metrics.js';
import { getRuntime, setRuntime } from '../../lib/runtime/route.js';
import { clientPath, type Harness, REGISTRATION_PATH, sha256, startHarness } from '../support/harness.js';
import { captured, metricsOf, type Output } from '../support/log-capture.js';

const LAMBDA = { functionName: 'DcrStateless-test-Register', awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678' };
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const METADATA = { client_name: 'Observed App', redirect_uris: ['https://app.example/cb'] };

describe('metrics, request and audit lines', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    // the runtime carries the stage (DCR_STAGE, read by the composition root)
    setRuntime({ ...getRuntime()!, stage: 'test-stage' });
    process.env._X_AMZN_TRACE_ID = `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;
  });
  afterEach(() => {
    delete process.env._X_AMZN_TRACE_ID;
  });

  async function registered(claims: { sub?: string } = { sub: 'team-a' }) {
    const token = await h.initialAccessToken(claims);
    return captured(() => h.call('POST', REGISTRATION_PATH, { token, body: METADATA, context: LAMBDA }));
  }

  it('a request writes one request line with the Lambda context and API Gateway request id, the first one a cold start', async () => {
    // Act
    const first = await registered();
    const second = await registered();

    // Assess
    expect(first.result.status).toBe(201);
    expect(first.output.requests).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'request',
        route: 'register',
        status: 201,
        functionName: LAMBDA.functionName,
        lambdaRequestId: LAMBDA.awsRequestId,
        traceId: TRACE_ROOT,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        coldStart: true,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(second.output.requests).toEqual([expect.objectContaining({ coldStart: false })]);
    expect(second.output.requests[0]!.requestId).not.toBe(first.output.requests[0]!.requestId);
  });

  it('a registration writes one EMF line: Requests, Latency and ClientsRegistered in namespace DcrService', async () => {
    // Act
    const { result, output } = await registered();

    // Assess
    expect(result.status).toBe(201);
    expect(output.metrics).toHaveLength(1);
    const line = output.metrics[0]!;
    expect(line._aws.Timestamp).toEqual(expect.any(Number));
    expect(line._aws.CloudWatchMetrics.map((directive: { Namespace: string }) => directive.Namespace)).toEqual(
      expect.arrayContaining(['DcrService']),
    );
    expect(new Set(line._aws.CloudWatchMetrics.map((directive: { Namespace: string }) => directive.Namespace))).toEqual(
      new Set(['DcrService']),
    );
    expect(metricsOf(line)).toEqual({
      Requests: { value: 1, unit: 'Count', dimensions: { Stage: 'test-stage', Route: 'register', StatusClass: '2xx' } },
      Latency: { value: expect.any(Number), unit: 'Milliseconds', dimensions: { Stage: 'test-stage', Route: 'register' } },
      ClientsRegistered: { value: 1, unit: 'Count', dimensions: { Stage: 'test-stage' } },
    });
  });

  it('a refusal counts under its error code and status class, and registers nothing', async () => {
    // Act
    const { result, output } = await captured(() => h.register({ redirect_uris: ['https://app.example/cb#fragment'] }));

    // Assess
    expect(result.status).toBe(400);
    expect(output.metrics).toHaveLength(1);
    expect(metricsOf(output.metrics[0]!)).toEqual({
      Requests: { value: 1, unit: 'Count', dimensions: { Stage: 'test-stage', Route: 'register', StatusClass: '4xx' } },
      Latency: { value: expect.any(Number), unit: 'Milliseconds', dimensions: { Stage: 'test-stage', Route: 'register' } },
      Refusals: { value: 1, unit: 'Count', dimensions: { Stage: 'test-stage', Route: 'register', Error: 'invalid_redirect_uri' } },
    });
    expect(output.audits).toEqual([]);
  });

  it.each([
    ['no initial access token', undefined, 401, 'invalid_token'],
    ['a forged initial access token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 401, 'invalid_token'],
  ])('%s counts an InitialAccessTokenFailure', async (_case, token, status, error) => {
    // Act
    const { result, output } = await captured(() => h.call('POST', REGISTRATION_PATH, { token, body: METADATA }));

    // Assess
    expect(result.status).toBe(status);
    expect(metricsOf(output.metrics[0]!)).toMatchObject({
      Refusals: { value: 1, dimensions: { Error: error } },
      InitialAccessTokenFailures: { value: 1, unit: 'Count', dimensions: { Stage: 'test-stage' } },
    });
  });

  it('a token without the required scope counts an InitialAccessTokenFailure too', async () => {
    // Prepare
    const token = await h.initialAccessToken({ scope: 'something-else' });

    // Act
    const { result, output } = await captured(() => h.call('POST', REGISTRATION_PATH, { token, body: METADATA }));

    // Assess
    expect(result.status).toBe(403);
    expect(metricsOf(output.metrics[0]!)).toMatchObject({
      Refusals: { value: 1, dimensions: { Route: 'register', Error: 'insufficient_scope' } },
      InitialAccessTokenFailures: { value: 1 },
    });
  });

  it('the stage defaults to "local" without DCR_STAGE', async () => {
    // Prepare
    setRuntime({ ...getRuntime()!, stage: undefined });

    // Act
    const { output } = await registered();

    // Assess
    expect(metricsOf(output.metrics[0]!).Requests!.dimensions.Stage).toBe('local');
  });

  it('counts made below the handler go on the next request line, once', async () => {
    // Prepare: as the settings source and the DynamoDB client do
    countMetric('SettingsReadFailures');
    countMetric('DatastoreThrottles', 2);

    // Act
    const first = await registered();
    const second = await registered();

    // Assess
    expect(metricsOf(first.output.metrics[0]!)).toMatchObject({
      SettingsReadFailures: { value: 1, unit: 'Count', dimensions: { Stage: 'test-stage' } },
      DatastoreThrottles: { value: 2, unit: 'Count', dimensions: { Stage: 'test-stage' } },
    });
    expect(Object.keys(metricsOf(second.output.metrics[0]!))).toEqual(['Latency', 'Requests', 'ClientsRegistered']);
  });

  it('metrics and audit lines survive DCR_LOG_LEVEL=warn, which drops the request line', async () => {
    // Prepare
    const token = await h.initialAccessToken({ sub: 'team-a' });

    // Act
    const { output } = await captured(() => h.call('POST', REGISTRATION_PATH, { token, body: METADATA }), 'warn');

    // Assess
    expect(output.requests).toEqual([]);
    expect(output.metrics).toHaveLength(1);
    expect(output.audits).toHaveLength(1);
  });

  describe('a client lifecycle', () => {
    let trail: Output[];
    let secrets: string[];
    let clientId: string;

    beforeAll(async () => {
      // the registering subject is stored on the client (registered_by): management lines name it
      setRuntime({ ...getRuntime()!, stage: 'test-stage' });
      trail = [];
      const iat = await h.initialAccessToken({ sub: 'team-a' });
      const step = async (act: () => Promise<any>) => {
        const { result, output } = await captured(act);
        trail.push(output);
        return result;
      };
      const created = await step(() =>
        h.call('POST', REGISTRATION_PATH, {
          token: iat,
          body: { ...METADATA, token_endpoint_auth_method: 'client_secret_jwt' },
        }),
      );
      clientId = created.body.client_id;
      const read = await step(() => h.call('GET', clientPath(clientId), { token: created.body.registration_access_token }));
      const updated = await step(() =>
        h.call('PUT', clientPath(clientId), {
          token: read.body.registration_access_token,
          body: {
            client_id: clientId,
            client_secret: read.body.client_secret,
            client_name: 'Observed App v2',
            redirect_uris: ['https://app.example/cb2'],
            token_endpoint_auth_method: 'client_secret_jwt',
          },
        }),
      );
      const deleted = await step(() => h.call('DELETE', clientPath(clientId), { token: updated.body.registration_access_token }));
      expect([created.status, read.status, updated.status, deleted.status]).toEqual([201, 200, 200, 204]);
      const issued = [created, read, updated].flatMap((answer) => [answer.body.client_secret, answer.body.registration_access_token]);
      secrets = [iat, ...issued, ...issued.map(sha256)];
    });

    it('writes one audit line per change: who, from where, which client, which operation, which fields', () => {
      const audits = trail.flatMap((output) => output.audits);
      const common = { level: 'audit', message: 'client changed', clientId, who: 'team-a', sourceIp: '127.0.0.1' };
      expect(audits).toEqual([
        expect.objectContaining({
          ...common,
          operation: 'register',
          changed: expect.arrayContaining([
            'client_name',
            'redirect_uris',
            'token_endpoint_auth_method',
            'client_secret issued',
            'registration_access_token issued',
          ]),
        }),
        expect.objectContaining({
          ...common,
          operation: 'rotate',
          changed: ['client_secret rotated', 'registration_access_token rotated'],
        }),
        expect.objectContaining({
          ...common,
          operation: 'update',
          changed: ['client_name', 'redirect_uris', 'client_secret rotated', 'registration_access_token rotated'],
        }),
        expect.objectContaining({
          ...common,
          operation: 'delete',
          changed: expect.arrayContaining(['client_name', 'client_secret removed']),
        }),
      ]);
      for (const line of audits) expect(line.requestId).toEqual(expect.any(String));
    });

    it('counts registrations, rotations and deletions', () => {
      const counted = trail.map((output) => {
        const found = metricsOf(output.metrics[0]!);
        return ['ClientsRegistered', 'CredentialsRotated', 'ClientsDeleted'].filter((name) => found[name]?.value === 1);
      });
      expect(counted).toEqual([['ClientsRegistered'], ['CredentialsRotated'], ['CredentialsRotated'], ['ClientsDeleted']]);
      expect(trail.map((output) => metricsOf(output.metrics[0]!).Requests!.dimensions)).toEqual([
        { Stage: 'test-stage', Route: 'register', StatusClass: '2xx' },
        { Stage: 'test-stage', Route: 'read', StatusClass: '2xx' },
        { Stage: 'test-stage', Route: 'update', StatusClass: '2xx' },
        { Stage: 'test-stage', Route: 'delete', StatusClass: '2xx' },
      ]);
    });

    it('no secret, token, hash or registered value reaches any line', () => {
      const text = trail.flatMap((output) => output.text).join('\n');
      expect(secrets).toHaveLength(13);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toContain('Observed App');
      expect(text).not.toContain('https://app.example/cb');
    });
  });
});
