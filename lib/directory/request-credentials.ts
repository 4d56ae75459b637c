import { decodeJwt, decodeProtectedHeader } from 'jose';
import { InvalidClientError } from '../errors.js';
import type { PresentedCertificate } from './client-certificate.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A token request as the client directory needs it, whatever the HTTP framework. */
export interface ClientAuthenticationRequest {
  /** The Authorization header, if any. */
  readonly authorization?: string;
  /** The form parameters of the request body (application/x-www-form-urlencoded). */
  readonly parameters: URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The client certificate the TLS layer accepted (mutual TLS), as PEM, DER or parsed. */
  readonly certificate?: PresentedCertificate;
}

/** What the request presents, before anything is checked against the client. */
export type PresentedCredentials =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly clientId: string; readonly secret: string }
  | {
      readonly method: 'client_secret_jwt' | 'private_key_jwt';
      readonly clientId: string;
      readonly assertion: string;
      readonly alg: string;
    }
  /** Only a client_id: `none`, or mutual TLS when a certificate came with it. */
  | { readonly method: 'none' | 'certificate'; readonly clientId: string };

/**
 * RFC 6749 §2.3: which single method the request uses. More than one (a Basic header and a
 * client_secret, a secret and an assertion) is refused, as is a client_id that disagrees with the
 * identity the credentials carry, or a parameter sent twice (§3.1).
 */
export function presentedCredentials(request: ClientAuthenticationRequest): PresentedCredentials {
  const parameter = parameterReader(request.parameters);
  const clientIdParameter = parameter('client_id');
  const secretParameter = parameter('client_secret');
  const assertion = parameter('client_assertion');
  const assertionType = parameter('client_assertion_type');
  const basic = basicCredentials(request.authorization);
  const used = [basic !== undefined, secretParameter !== undefined, assertion !== undefined || assertionType !== undefined];
  if (used.filter(Boolean).length > 1)
    throw new InvalidClientError('the request uses more than one client authentication method', { basic: basic !== undefined });

  const sameClient = (clientId: string) => {
    if (clientIdParameter !== undefined && clientIdParameter !== clientId) {
      throw new InvalidClientError('the client_id parameter is not the client the credentials name', { basic: basic !== undefined });
    }
    return clientId;
  };
  if (basic) return { method: 'client_secret_basic', clientId: sameClient(basic.clientId), secret: basic.secret };
  if (secretParameter !== undefined) {
    if (clientIdParameter === undefined) throw new InvalidClientError('client_secret was sent without client_id');
    return { method: 'client_secret_post', clientId: clientIdParameter, secret: secretParameter };
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION) throw new InvalidClientError(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    if (assertion === undefined) throw new InvalidClientError('client_assertion_type was sent without client_assertion');
    const { alg, subject } = peek(assertion);
    return { method: alg.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt', clientId: sameClient(subject), assertion, alg };
  }
  if (clientIdParameter === undefined) throw new InvalidClientError('the request names no client (no client_id, no credentials)');
  return { method: request.certificate === undefined ? 'none' : 'certificate', clientId: clientIdParameter };
}

function parameterReader(parameters: ClientAuthenticationRequest['parameters']): (name: string) => string | undefined {
  return (name) => {
    const values =
      parameters instanceof URLSearchParams
        ? parameters.getAll(name)
        : ((value) => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]))(parameters[name]);
    if (values.length > 1) throw new InvalidClientError(`the parameter ${name} is sent more than once`);
    return values[0] === '' ? undefined : values[0];
  };
}

/** RFC 6749 §2.3.1: Basic with the form-urlencoded client_id and secret. */
function basicCredentials(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic[ ]+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(authorization?.trim() ?? '');
  if (!match) {
    if (authorization !== undefined && /^Basic\b/i.test(authorization.trim()))
      throw new InvalidClientError('the Basic credentials are malformed', { basic: true });
    return undefined;
  }
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClientError('the Basic credentials are malformed', { basic: true });
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (!clientId) throw new InvalidClientError('the Basic credentials name no client', { basic: true });
    return { clientId, secret };
  } catch (error) {
    if (error instanceof InvalidClientError) throw error;
    throw new InvalidClientError('the Basic credentials are not form-urlencoded', { basic: true });
  }
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** The alg and subject of an assertion, read before its signature is checked (to find the client and its keys). */
function peek(assertion: string): { alg: string; subject: string } {
  try {
    const { alg } = decodeProtectedHeader(assertion);
    const { sub, iss } = decodeJwt(assertion);
    if (typeof alg !== 'string' || alg === 'none') throw new InvalidClientError('the client assertion is not signed');
    if (typeof sub !== 'string' || !sub || sub !== iss)
      throw new InvalidClientError('the client assertion must carry the client_id as both iss and sub');
    return { alg, subject: sub };
  } catch (error) {
    if (error instanceof InvalidClientError) throw error;
    throw new InvalidClientError('the client assertion is not a JWT');
  }
}
