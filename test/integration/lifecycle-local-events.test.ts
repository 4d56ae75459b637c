import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../infra/local/server.js';
import { capturedLogs } from '../support/log-capture.js';

// Local mode has no table stream: the local server prints the lifecycle events of each write, made by
// the same mapping as the stream function, as log lines a developer sees.

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
const schemaOf = (type: string) => {
  if (!ajv.getSchema(type)) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(`../../docs/events/${type}.schema.json`, import.meta.url), 'utf8')), type);
  }
  return ajv.getSchema(type)!;
};

describe('local server: lifecycle events printed', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ port: 0, env: { DCR_TABLE_NAME: 'clients-local-events', DCR_LOG_LEVEL: 'silent' } });
  });
  afterAll(async () => {
    await server.close();
  });

  const call = async (method: string, path: string, token: string, body?: Record<string, unknown>) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body && { 'content-type': 'application/json' }) },
      body: body && JSON.stringify(body),
    });
    return { status: response.status, body: (response.status === 204 ? undefined : await response.json()) as any };
  };

  it('prints ClientRegistered, ClientUpdated, ClientCredentialsRotated and ClientDeleted, valid to their schemas, with no secret', async () => {
    const iat = await server.devIssuer!.mint({ scope: 'dcr:register', sub: 'local-team' });
    const path = '/as/clients.oauth2';
    const { result: answers, lines } = await capturedLogs(async () => {
      const registered = await call('POST', path, iat, { redirect_uris: ['https://app.example/cb'], client_name: 'Local' });
      const id = registered.body.client_id as string;
      const updated = await call('PUT', `${path}/${id}`, registered.body.registration_access_token, {
        client_id: id,
        redirect_uris: ['https://app.example/cb'],
        client_name: 'Local v2',
      });
      const deleted = await call('DELETE', `${path}/${id}`, updated.body.registration_access_token);
      return { registered, updated, deleted };
    });

    expect([answers.registered.status, answers.updated.status, answers.deleted.status]).toEqual([201, 200, 204]);
    const events = lines.filter((line) => line.message === 'lifecycle event');
    expect(events.map((line) => line['detail-type'])).toEqual([
      'ClientRegistered',
      'ClientUpdated',
      'ClientCredentialsRotated',
      'ClientDeleted',
    ]);
    for (const line of events) {
      expect(line.source).toBe('dcr.clients');
      const validate = schemaOf(line['detail-type'] as string);
      expect(validate(line.detail), JSON.stringify(validate.errors)).toBe(true);
      expect(line.detail).toMatchObject({ client_id: answers.registered.body.client_id, registered_by: 'local-team' });
    }
    expect((events[1]!.detail as Record<string, unknown>).changed_fields).toEqual(['client_name']);
    const printed = JSON.stringify(events);
    for (const secret of [
      answers.registered.body.client_secret,
      answers.registered.body.registration_access_token,
      answers.updated.body.client_secret,
      answers.updated.body.registration_access_token,
    ]) {
      expect(printed).not.toContain(secret);
    }
  });
});
