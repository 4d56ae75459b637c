import { partition } from '@aws-sdk/core/client';
import { booleanSelector, SelectorType } from '@smithy/core/config';

// Where SSM answers, resolved as @aws-sdk/client-ssm resolves it (its endpoint rule set, in
// node_modules/@aws-sdk/client-ssm/dist-es/endpoint/bdd.js): a configured endpoint URL wins and admits
// neither FIPS nor dual-stack; otherwise the regional endpoint of the region's partition. The partition
// data is the SDK's own (@aws-sdk/core), which the DynamoDB client already loads into every bundle.

export interface SsmEndpointInput {
  readonly region?: string;
  readonly useFips: boolean;
  readonly useDualstack: boolean;
  /** AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL (see ssmEndpointUrlOf). */
  readonly endpointUrl?: string;
}

/** The SSM endpoint URL for the input, or an Error with the SDK's own message for a configuration it refuses. */
export function resolveSsmEndpoint({ region, useFips, useDualstack, endpointUrl }: SsmEndpointInput): URL {
  if (endpointUrl !== undefined) {
    if (useFips) throw endpointError('Invalid Configuration: FIPS and custom endpoint are not supported');
    if (useDualstack) throw endpointError('Invalid Configuration: Dualstack and custom endpoint are not supported');
    return new URL(endpointUrl);
  }
  if (!region) throw endpointError('Invalid Configuration: Missing Region');
  const found = partition(region);
  if (useFips && useDualstack) {
    if (!(found.supportsFIPS && found.supportsDualStack)) {
      throw endpointError('FIPS and DualStack are enabled, but this partition does not support one or both');
    }
    return new URL(`https://ssm-fips.${region}.${found.dualStackDnsSuffix}`);
  }
  if (useFips) {
    if (!found.supportsFIPS) throw endpointError('FIPS is enabled but this partition does not support FIPS');
    // GovCloud's regular SSM endpoints are its FIPS endpoints (the rule set says so)
    return new URL(found.name === 'aws-us-gov' ? `https://ssm.${region}.amazonaws.com` : `https://ssm-fips.${region}.${found.dnsSuffix}`);
  }
  if (useDualstack) {
    if (!found.supportsDualStack) throw endpointError('DualStack is enabled but this partition does not support DualStack');
    return new URL(`https://ssm.${region}.${found.dualStackDnsSuffix}`);
  }
  return new URL(`https://ssm.${region}.${found.dnsSuffix}`);
}

/**
 * The configured SSM endpoint URL, with the SDK's precedence: AWS_ENDPOINT_URL_SSM, then AWS_ENDPOINT_URL,
 * neither when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true (parsed by the SDK's own selector: anything but
 * "true"/"false" is an error). The SDK also reads `endpoint_url` from a shared config file; a Lambda
 * function has none, and LocalStack / cdklocal set these variables.
 */
export function ssmEndpointUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  if (booleanSelector(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', SelectorType.ENV)) return undefined;
  return env.AWS_ENDPOINT_URL_SSM || env.AWS_ENDPOINT_URL || undefined;
}

function endpointError(message: string): Error {
  return Object.assign(new Error(message), { name: 'EndpointError' });
}
