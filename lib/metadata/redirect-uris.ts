import * as v from 'valibot';
import { itemText, list } from './schemas.js';
import { parseAbsoluteUri } from './uri.js';

// Schemes a browser would run or read locally instead of navigating to a client: never a redirect target.
const DANGEROUS_SCHEMES: ReadonlySet<string> = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'file:', 'about:']);

/**
 * One redirect URI: absolute, no fragment (RFC 6749 §3.1.2), no dangerous scheme. What each
 * application_type may use is checked once grant types are known (application-type.ts).
 */
export function redirectUri(field: string) {
  return v.pipe(
    itemText(field),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = redirectUriProblem(dataset.value);
      if (problem) addIssue({ message: `${field}: ${JSON.stringify(dataset.value).slice(0, 120)} ${problem}` });
    }),
  );
}

function redirectUriProblem(value: string): string | undefined {
  const parsed = parseAbsoluteUri(value);
  if (!parsed) return 'is not an absolute URI';
  if (DANGEROUS_SCHEMES.has(parsed.protocol)) return `uses the forbidden scheme ${parsed.protocol.slice(0, -1)}`;
  if (value.includes('#')) return 'must not have a fragment';
  return undefined;
}

export function redirectUriList(field: string) {
  return list(field, redirectUri(field));
}
