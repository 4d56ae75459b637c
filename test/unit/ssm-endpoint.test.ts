// The SSM endpoint the reader resolves must be the one @aws-sdk/client-ssm resolves: every case below is
// compared with the SDK client's own endpoint provider (client-ssm stays a dev dependency for this and
// for the cold-start floor), and a few are spelled out.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { HttpResponse } from '@smithy/core/protocols';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveSsmEndpoint, ssmEndpointUrlOf } from '../../lib/settings/ssm-endpoint.js';
import { SsmReader } from '../../lib/settings/ssm-reader.js';
import { awsPieces, SSM_CREDENTIALS } from '../support/ssm-server.js';

const sdk = new SSMClient({ region: 'eu-west-1', credentials: SSM_CREDENTIALS });

/** What the SDK resolves: the URL, or the message of the error it throws. */
function sdkEndpoint(region: string | undefined, useFips: boolean, useDualstack: boolean, endpointUrl?: string): string {
  try {
    const params = { Region: region, UseFIPS: useFips, UseDualStack: useDualstack, Endpoint: endpointUrl };
    return sdk.config.endpointProvider(params as never).url.href;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function ours(region: string | undefined, useFips: boolean, useDualstack: boolean, endpointUrl?: string): string {
  try {
    return resolveSsmEndpoint({ region, useFips, useDualstack, endpointUrl }).href;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const REGIONS = [
  'eu-west-1',
  'us-east-1',
  'ap-southeast-7',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-west-1',
  'us-gov-east-1',
  'us-iso-east-1',
  'us-isob-east-1',
  'eu-isoe-west-1',
  'us-isof-south-1',
  'eusc-de-east-1',
  'xx-unknown-9',
];

describe('the SSM endpoint', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  describe.each(REGIONS)('in %s', (region) => {
    it.each([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ])('FIPS %s, dual-stack %s: as the SDK resolves it', (useFips, useDualstack) => {
      expect(ours(region, useFips, useDualstack)).toBe(sdkEndpoint(region, useFips, useDualstack));
    });
  });

  it.each([
    ['eu-west-1', false, false, 'https://ssm.eu-west-1.amazonaws.com/'],
    ['cn-north-1', false, false, 'https://ssm.cn-north-1.amazonaws.com.cn/'],
    ['eu-west-1', true, false, 'https://ssm-fips.eu-west-1.amazonaws.com/'],
    ['eu-west-1', false, true, 'https://ssm.eu-west-1.api.aws/'],
    ['eu-west-1', true, true, 'https://ssm-fips.eu-west-1.api.aws/'],
    // GovCloud's regular endpoints are FIPS ones
    ['us-gov-west-1', true, false, 'https://ssm.us-gov-west-1.amazonaws.com/'],
    ['us-iso-east-1', false, false, 'https://ssm.us-iso-east-1.c2s.ic.gov/'],
  ])('%s, FIPS %s, dual-stack %s: %s', (region, useFips, useDualstack, expected) => {
    expect(ours(region, useFips, useDualstack)).toBe(expected);
  });

  it('a configured endpoint wins, and admits neither FIPS nor dual-stack (as in the SDK)', () => {
    const url = 'http://localhost.localstack.cloud:4566';
    for (const [useFips, useDualstack] of [
      [false, false],
      [true, false],
      [false, true],
    ] as const) {
      expect(ours('eu-west-1', useFips, useDualstack, url)).toBe(sdkEndpoint('eu-west-1', useFips, useDualstack, url));
    }
    expect(ours('eu-west-1', false, false, url)).toBe('http://localhost.localstack.cloud:4566/');
    expect(ours('eu-west-1', true, false, url)).toBe('error: Invalid Configuration: FIPS and custom endpoint are not supported');
  });

  it('no region and no endpoint: the SDK message', () => {
    expect(ours(undefined, false, false)).toBe('error: Invalid Configuration: Missing Region');
  });

  describe('endpoint variables', () => {
    it('AWS_ENDPOINT_URL_SSM, else AWS_ENDPOINT_URL, else none', () => {
      expect(ssmEndpointUrlOf({ AWS_ENDPOINT_URL_SSM: 'http://ssm.local:1', AWS_ENDPOINT_URL: 'http://all.local:2' })).toBe(
        'http://ssm.local:1',
      );
      expect(ssmEndpointUrlOf({ AWS_ENDPOINT_URL: 'http://all.local:2' })).toBe('http://all.local:2');
      expect(ssmEndpointUrlOf({ AWS_ENDPOINT_URL_DYNAMODB: 'http://ddb.local:3' })).toBeUndefined();
    });

    it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores them; a value other than true/false is refused, as by the SDK', () => {
      expect(ssmEndpointUrlOf({ AWS_ENDPOINT_URL_SSM: 'http://ssm.local:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
      expect(ssmEndpointUrlOf({ AWS_ENDPOINT_URL_SSM: 'http://ssm.local:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' })).toBe(
        'http://ssm.local:1',
      );
      expect(() => ssmEndpointUrlOf({ AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'yes' })).toThrow(/Expected "true" or "false"/);
    });
  });

  describe('through the reader, from the DynamoDB client configured by the environment', () => {
    /** A transport that records where each request goes and answers an empty GetParameters. */
    function recordingTransport() {
      const hosts: string[] = [];
      return {
        hosts,
        handle: async (request: { hostname: string; protocol: string; port?: number }) => {
          hosts.push(`${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`);
          return { response: new HttpResponse({ statusCode: 200, headers: {}, body: [Buffer.from('{"Parameters":[]}')] }) };
        },
      };
    }

    async function hostOf(env: NodeJS.ProcessEnv): Promise<string> {
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      const transport = recordingTransport();
      const config = new DynamoDBClient({ credentials: SSM_CREDENTIALS }).config;
      const reader = new SsmReader({ aws: { ...config, requestHandler: transport }, env: process.env });
      await reader.getParameters(['/x'], new AbortController().signal);
      return transport.hosts[0]!;
    }

    it.each([
      [{ AWS_REGION: 'eu-west-1' }, 'https://ssm.eu-west-1.amazonaws.com'],
      [{ AWS_REGION: 'cn-northwest-1' }, 'https://ssm.cn-northwest-1.amazonaws.com.cn'],
      [{ AWS_REGION: 'eu-west-1', AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://ssm-fips.eu-west-1.amazonaws.com'],
      [{ AWS_REGION: 'eu-west-1', AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://ssm.eu-west-1.api.aws'],
      [{ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, 'http://127.0.0.1:4566'],
      [
        { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:4583' },
        'http://127.0.0.1:4583',
      ],
    ])('%j: %s', async (env, expected) => {
      const unset = { AWS_DEFAULT_REGION: undefined, AWS_USE_FIPS_ENDPOINT: undefined, AWS_USE_DUALSTACK_ENDPOINT: undefined };
      expect(await hostOf({ ...unset, ...env })).toBe(expected);
    });

    it('FIPS with a configured endpoint is refused with the SDK message, and nothing is sent', async () => {
      const transport = recordingTransport();
      const reader = new SsmReader({
        aws: awsPieces({ useFipsEndpoint: async () => true, requestHandler: transport }),
        env: { AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:4583' },
      });

      await expect(reader.getParameters(['/x'], new AbortController().signal)).rejects.toThrow(
        'Invalid Configuration: FIPS and custom endpoint are not supported',
      );
      expect(transport.hosts).toEqual([]);
    });
  });
});
