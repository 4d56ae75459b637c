import { describe, expect, it } from 'vitest';
import { RegistrationError } from '../../lib/errors.js';
import { resolveGrantAndResponseTypes, usesRedirects } from '../../lib/metadata/grant-response.js';
import { thrownBy } from '../support/thrown.js';

const AC = 'authorization_code';
const IMPLICIT = 'implicit';

function invalidMetadataFrom(act: () => unknown): RegistrationError {
  const error = thrownBy(act, RegistrationError);
  expect(error.status).toBe(400);
  expect(error.error).toBe('invalid_client_metadata');
  return error;
}

describe('resolveGrantAndResponseTypes', () => {
  it('defaults to authorization_code and code when neither list is sent', () => {
    expect(resolveGrantAndResponseTypes(undefined, undefined)).toEqual({ grant_types: [AC], response_types: ['code'] });
  });

  // docs/reference.md: response types require grant types (OIDC-Reg §2)
  describe('derives grant_types from response_types', () => {
    it.each([
      [['code'], [AC]],
      [['token'], [IMPLICIT]],
      [['id_token'], [IMPLICIT]],
      [['id_token token'], [IMPLICIT]],
      [['code id_token'], [AC, IMPLICIT]],
      [['code token'], [AC, IMPLICIT]],
      [['code id_token token'], [AC, IMPLICIT]],
      [
        ['code', 'id_token'],
        [AC, IMPLICIT],
      ],
      [
        ['id_token', 'code'],
        [AC, IMPLICIT],
      ],
    ])('response_types %j -> grant_types %j', (responseTypes, grantTypes) => {
      expect(resolveGrantAndResponseTypes(undefined, responseTypes)).toEqual({ grant_types: grantTypes, response_types: responseTypes });
    });
  });

  describe('derives response_types from grant_types', () => {
    it.each([
      [[AC], ['code']],
      [[IMPLICIT], ['token']],
      [
        [AC, IMPLICIT],
        ['code', 'token'],
      ],
      [[AC, 'refresh_token'], ['code']],
      [['client_credentials'], []],
      [['refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'], []],
    ])('grant_types %j -> response_types %j', (grantTypes, responseTypes) => {
      expect(resolveGrantAndResponseTypes(grantTypes, undefined)).toEqual({ grant_types: grantTypes, response_types: responseTypes });
    });
  });

  describe('accepts both lists when they agree', () => {
    it.each([
      [[AC], ['code']],
      [[AC, 'refresh_token'], ['code']],
      [[IMPLICIT], ['id_token']],
      [[IMPLICIT], ['token', 'id_token token']],
      [[AC, IMPLICIT], ['code id_token']],
      [
        [AC, IMPLICIT],
        ['code', 'id_token token'],
      ],
      [[AC, IMPLICIT, 'refresh_token'], ['code id_token token']],
      [['client_credentials'], []],
    ])('grant_types %j with response_types %j', (grantTypes, responseTypes) => {
      expect(resolveGrantAndResponseTypes(grantTypes, responseTypes)).toEqual({ grant_types: grantTypes, response_types: responseTypes });
    });
  });

  describe('refuses both lists with invalid_client_metadata when they disagree', () => {
    it.each([
      // a response type whose grant is missing
      [[AC], ['token'], /response_types "token" needs grant_types to include implicit/],
      [[AC], ['id_token'], /response_types "id_token" needs grant_types to include implicit/],
      [[IMPLICIT], ['code'], /response_types "code" needs grant_types to include authorization_code/],
      [[AC], ['code id_token'], /response_types "code id_token" needs grant_types to include implicit/],
      [[IMPLICIT], ['code token'], /response_types "code token" needs grant_types to include authorization_code/],
      [['client_credentials'], ['code id_token token'], /needs grant_types to include authorization_code and implicit/],
      // and vice versa: a redirect grant no response type uses
      [[AC, IMPLICIT], ['code'], /grant_types includes implicit, but no registered response_types value uses it/],
      [[AC, IMPLICIT], ['id_token'], /grant_types includes authorization_code, but no registered response_types value uses it/],
      [[AC], [], /grant_types includes authorization_code, but no registered response_types value uses it/],
      [[IMPLICIT, 'client_credentials'], [], /grant_types includes implicit/],
    ])('grant_types %j with response_types %j', (grantTypes, responseTypes, description) => {
      // Act
      const error = invalidMetadataFrom(() => resolveGrantAndResponseTypes(grantTypes, responseTypes));

      // Assess
      expect(error.description).toMatch(description);
    });
  });

  it('refuses an empty grant_types list', () => {
    // Act
    const alone = invalidMetadataFrom(() => resolveGrantAndResponseTypes([], undefined));
    const withResponses = invalidMetadataFrom(() => resolveGrantAndResponseTypes([], ['code']));

    // Assess
    expect(alone.description).toBe('grant_types must hold at least one grant type');
    expect(withResponses.description).toBe('grant_types must hold at least one grant type');
  });

  it('refuses an empty response_types list sent alone, since no grant type can be derived from it', () => {
    // Act
    const error = invalidMetadataFrom(() => resolveGrantAndResponseTypes(undefined, []));

    // Assess
    expect(error.description).toBe('grant_types is required when response_types is empty');
  });
});

describe('usesRedirects', () => {
  it.each([
    [[AC], true],
    [[IMPLICIT], true],
    [['refresh_token', IMPLICIT], true],
    [['client_credentials'], false],
    [['client_credentials', 'refresh_token', 'password'], false],
    [[], false],
  ])('%j -> %s', (grantTypes, expected) => {
    expect(usesRedirects(grantTypes)).toBe(expected);
  });
});
