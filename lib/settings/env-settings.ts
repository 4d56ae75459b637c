import { readFileSync } from 'node:fs';
import { loadPolicies } from '../policies/config.js';
import { type Settings, settingsFromStrings } from './catalog.js';
import { ENVIRONMENT } from './environment.js';

// Local mode may keep the registration policies in a file (a JSON document is awkward in a variable).
const POLICIES_VAR = 'DCR_REGISTRATION_POLICIES';
const POLICIES_FILE_VAR = ENVIRONMENT.registrationPoliciesFile.name;

/**
 * Settings from environment variables (DCR_REGISTRATION_ENABLED=true ...). `fallback` supplies the
 * values of variables that are not set; by default the documented seed defaults apply. The
 * registration policies are checked here too, so a bad document stops a local start and names the variable.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv, fallback: Partial<Settings> = {}): Settings {
  const policiesFromFile = readPoliciesFile(env);
  const settings = settingsFromStrings(
    (definition) => (definition.envVar === POLICIES_VAR && policiesFromFile !== undefined ? policiesFromFile : env[definition.envVar]),
    fallback,
    (definition) => definition.envVar,
  );
  try {
    loadPolicies(settings.registrationPolicies);
  } catch (error) {
    const source = policiesFromFile !== undefined ? `${POLICIES_FILE_VAR} (${env[POLICIES_FILE_VAR]})` : POLICIES_VAR;
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
  return settings;
}

function readPoliciesFile(env: NodeJS.ProcessEnv): string | undefined {
  const path = env[POLICIES_FILE_VAR]?.trim();
  if (!path) return undefined;
  if (env[POLICIES_VAR]?.trim()) throw new Error(`${POLICIES_VAR} and ${POLICIES_FILE_VAR} are both set: set one of them`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${POLICIES_FILE_VAR}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
