import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import * as v from 'valibot';
import { invalidSoftwareStatement, unapprovedSoftwareStatement } from '../errors.js';
import { isLoopbackHttp, parseAbsoluteUri } from '../metadata/uri.js';
import { type JwtRefusal, jwtRefusal } from '../tokens/jwt-refusal.js';
import { flag, listOf, nonEmptyString, objectMessage, oneOf, policyOptions, show } from './options.js';
import type { PolicyDefinition, PolicyRequest, RegistrationPolicy } from './policy.js';
import { quoted } from './quoted.js';

const NAME = 'software-statement';

// Asymmetric only: a shared (HMAC) key would let every holder of it issue statements.
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
// JWT claims about the statement itself, not client metadata: never copied into the registration.
const STATEMENT_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'software_statement']);
// Far more than any real statement; keeps a megabyte string from reaching the JWT parser.
const MAX_STATEMENT_LENGTH = 16_384;
const CLOCK_TOLERANCE_SECONDS = 30;

/** https, or http to a loopback host (a key server on the same machine, in tests and local mode). */
const jwksUri = v.pipe(
  v.string((issue) => `must be a string, not ${show(issue.input)}`),
  v.check(
    (value) => {
      const uri = parseAbsoluteUri(value);
      return uri !== undefined && (uri.protocol === 'https:' || isLoopbackHttp(uri));
    },
    (issue) => `${show(issue.input)} must be an https URL (http only to a loopback host)`,
  ),
);

/** Public keys only: a private or symmetric key in the configuration is a mistake to refuse loudly. */
const jwkSet = v.looseObject(
  {
    keys: listOf(
      v.pipe(
        v.looseObject({ kty: v.string('every key needs a "kty" string') }, 'every key must be a JWK object'),
        v.check((key) => key.kty !== 'oct' && !('d' in key), 'must be a public key (no "d", no "oct" keys)'),
      ),
      { min: 1, max: 100 },
    ),
  },
  (issue) => `must be a JWK Set ({"keys": [...]}), not ${show(issue.input)}`,
);

const trustedIssuer = v.pipe(
  v.strictObject(
    { issuer: nonEmptyString(), jwks_uri: v.optional(jwksUri), jwks: v.optional(jwkSet) },
    objectMessage('a trusted issuer', 'issuer, jwks_uri, jwks'),
  ),
  v.check((entry) => (entry.jwks_uri === undefined) !== (entry.jwks === undefined), 'needs exactly one of "jwks_uri" and "jwks"'),
);

export interface SoftwareStatementOptions {
  /** Who may sign statements, each with its keys: a JWKS URL or an inline JWK Set. */
  readonly issuers: { issuer: string; jwks_uri?: string; jwks?: { keys: Record<string, unknown>[] } }[];
  /** Accepted JWS algorithms (asymmetric only); default all of them. */
  readonly algorithms: (typeof ALGORITHMS)[number][];
  /** Expected `typ` header, when set. */
  readonly typ?: string;
  /** Expected `aud`, when set. */
  readonly audience?: string;
  /** Refuse registrations without a software_statement. */
  readonly required: boolean;
  /** When set, the statement's software_id must be one of these. */
  readonly allowed_software_ids?: string[];
}

interface Issuer {
  readonly issuer: string;
  /** Its key set, made on the first statement it signs. */
  readonly keys: () => Promise<JWTVerifyGetKey>;
}

/**
 * RFC 7591 §2.3: `software_statement` is a JWT signed by a trusted issuer, verified with that issuer's
 * keys from the configuration, never with keys the statement names (jku, x5u and jwk headers are not
 * used). Its claims replace the plain JSON members of the same name; the statement itself is stored
 * and returned unmodified.
 */
export const softwareStatementPolicy: PolicyDefinition<SoftwareStatementOptions> = {
  name: NAME,
  schema: v.pipe(
    policyOptions(NAME, {
      issuers: listOf(trustedIssuer, { min: 1, max: 50 }),
      algorithms: v.optional(listOf(oneOf(ALGORITHMS), { min: 1 }), [...ALGORITHMS]),
      typ: v.optional(nonEmptyString()),
      audience: v.optional(nonEmptyString()),
      required: v.optional(flag(), false),
      allowed_software_ids: v.optional(listOf(nonEmptyString(), { min: 1 })),
    }),
    v.check((options) => new Set(options.issuers.map((entry) => entry.issuer)).size === options.issuers.length, 'lists an issuer twice'),
  ),
  create: (options): RegistrationPolicy => {
    const issuers = new Map<string, Issuer>(options.issuers.map((entry) => [entry.issuer, { issuer: entry.issuer, keys: keySet(entry) }]));
    const softwareIds = options.allowed_software_ids && new Set(options.allowed_software_ids);
    const verifyOptions = {
      algorithms: [...options.algorithms],
      typ: options.typ,
      audience: options.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    return {
      name: NAME,
      async apply(request: PolicyRequest) {
        const statement = request.body.software_statement;
        if (statement === undefined) {
          if (options.required) throw invalidSoftwareStatement('a software_statement is required to register here');
          return;
        }
        if (typeof statement !== 'string' || statement.length > MAX_STATEMENT_LENGTH) {
          throw invalidSoftwareStatement('software_statement must be a signed JWT (a string)');
        }
        // jose is loaded by the first statement, not at every cold start of the register and update functions
        const { decodeJwt, jwtVerify } = await import('jose');
        const issuer = trustedIssuerOf(statement, issuers, decodeJwt);
        const keys = await issuer.keys();
        let claims: JWTPayload;
        try {
          ({ payload: claims } = await jwtVerify(statement, keys, { ...verifyOptions, issuer: issuer.issuer }));
        } catch (error) {
          throw jwtRefusal(error, refusalOf(issuer.issuer));
        }
        if (softwareIds && !(typeof claims.software_id === 'string' && softwareIds.has(claims.software_id))) {
          throw unapprovedSoftwareStatement(
            typeof claims.software_id === 'string'
              ? `software_id ${quoted(claims.software_id)} of the software_statement is not approved here`
              : 'the software_statement has no software_id, and only listed software is approved here',
          );
        }
        mergeClaims(request.body, claims);
        request.softwareStatement = statement;
      },
    };
  },
};

function keySet(entry: SoftwareStatementOptions['issuers'][number]): () => Promise<JWTVerifyGetKey> {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const make = async (): Promise<JWTVerifyGetKey> => {
    const { createLocalJWKSet, createRemoteJWKSet } = await import('jose');
    if (entry.jwks) return createLocalJWKSet(entry.jwks as Parameters<typeof createLocalJWKSet>[0]);
    // fetched on first use, kept 10 minutes; an unknown kid refetches at most every 30 s
    return createRemoteJWKSet(new URL(entry.jwks_uri!), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
  };
  return () => {
    keys ??= make();
    return keys;
  };
}

/** The issuer named by the (not yet verified) `iss` claim, when this server trusts it. */
function trustedIssuerOf(statement: string, issuers: ReadonlyMap<string, Issuer>, decodeJwt: typeof import('jose').decodeJwt): Issuer {
  let iss: unknown;
  try {
    iss = decodeJwt(statement).iss;
  } catch {
    throw invalidSoftwareStatement('software_statement is not a JWT');
  }
  if (typeof iss !== 'string') throw invalidSoftwareStatement('software_statement has no iss claim (RFC 7591 §2.3)');
  const issuer = issuers.get(iss);
  if (!issuer) throw unapprovedSoftwareStatement(`software_statement was issued by ${quoted(iss)}, which this server does not trust`);
  return issuer;
}

/**
 * The statement's claims win over the plain members (RFC 7591 §2.3). A field the statement sets
 * loses its language-tagged variants from the request too, so a self-asserted `client_name#en`
 * cannot stand beside an attested `client_name`.
 */
function mergeClaims(body: Record<string, unknown>, claims: JWTPayload): void {
  const attested = Object.keys(claims).filter((name) => !STATEMENT_CLAIMS.has(name));
  const bases = new Set(attested.filter((name) => !name.includes('#')));
  for (const name of Object.keys(body)) {
    const at = name.indexOf('#');
    if (at > 0 && bases.has(name.slice(0, at)) && !Object.hasOwn(claims, name)) delete body[name];
  }
  for (const name of attested) body[name] = claims[name];
}

/** How a refused statement is told: invalid_software_statement, naming the issuer whose keys did not verify it. */
function refusalOf(issuer: string): JwtRefusal {
  return {
    subject: 'software_statement',
    refuse: invalidSoftwareStatement,
    keysUnavailable: 'the software statement issuer keys could not be fetched; retry shortly',
    phrases: { badSignature: `signature does not verify with the keys of ${quoted(issuer)}` },
  };
}
