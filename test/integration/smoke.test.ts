import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

describe('smoke', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });
  it('registers', async () => {
    const res = await h.register({ redirect_uris: ['https://a.example/cb'] });
    expect(res.status).toBe(201);
    const before = h.dynamoDb.requestCount();
    const read = await h.call('GET', `/as/clients.oauth2/${res.body.client_id}`, { token: res.body.registration_access_token });
    expect(read.status).toBe(200);
    expect(h.dynamoDb.requestCount() - before).toBe(1);
    const item = await h.item(res.body.client_id);
    expect(item?.client_secret_hash).toBeDefined();
  });
});
