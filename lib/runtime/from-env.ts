import { checkRegistrationPolicies } from '../settings/policies-check.js';
import { coreFromEnv, type Runtime, type RuntimeOptions } from './core.js';
import { initialAccessTokensOf } from './initial-access-tokens.js';

/**
 * The runtime of all four routes in one process (the local server, the integration tests, the
 * benchmarks): the shared wiring plus registration's initial access token verifiers.
 */
export function runtimeFromEnv(env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Runtime {
  const { environment, documents, runtime } = coreFromEnv(env, { settingsCheck: checkRegistrationPolicies, ...options });
  const initialAccessTokens = initialAccessTokensOf(environment, { dynamoDb: options.dynamoDb, documents });
  return { ...runtime, dependencies: { ...runtime.dependencies, initialAccessTokens } };
}
