import { loadPolicies } from '../policies/pipeline.js';
import { PolicyConfigError } from '../policies/policy.js';
import { type Settings, SettingValueError } from './catalog.js';

/**
 * The registration policy document checked where settings are read, so a bad one keeps the last good
 * settings instead of refusing every registration until it is fixed. Wired only by the routes that
 * apply policies (register, update): the others' bundles never load the policy module, and these load
 * it only for a value that configures something.
 */
export async function checkRegistrationPolicies(settings: Settings, nameOf: (key: keyof Settings) => string): Promise<void> {
  try {
    await loadPolicies(settings.registrationPolicies);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    throw new SettingValueError(nameOf('registrationPolicies'), settings.registrationPolicies, error.problems.join('; '));
  }
}
