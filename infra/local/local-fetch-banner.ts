import type { Environment } from '../../lib/settings/environment.js';

/**
 * The start-up banner's warning while local development of fetched documents is on
 * (DCR_LOCAL_FETCH_HOSTS / DCR_LOCAL_FETCH_CA_FILE): the SSRF guard is loosened for those hosts,
 * which must never happen outside a developer's machine. Empty when it is off.
 */
export function localFetchWarning(environment: Environment): string[] {
  if (environment.localFetchHosts === undefined && environment.localFetchCaFile === undefined) return [];
  const rule = '!'.repeat(78);
  return [
    '',
    rule,
    '!! LOCAL DEVELOPMENT OF FETCHED DOCUMENTS IS ON: the SSRF guard is loosened.',
    `!! The document fetcher may reach these non-public hosts: ${environment.localFetchHosts?.join(' ') || '(none)'}`,
    ...(environment.localFetchCaFile ? [`!! and trusts the extra certificate authority in ${environment.localFetchCaFile}`] : []),
    '!! (sector_identifier_uri, jwks_uri, Client ID Metadata Documents). Never set DCR_LOCAL_FETCH_* elsewhere:',
    '!! a deployed function refuses to start with them.',
    rule,
  ];
}
