// The one route table: the stateless stack makes a function and an API Gateway method from each
// row, and the local server dispatches to the same handler files.
import { CLIENT_PATH, REGISTRATION_PATH } from '../lib/http/paths.js';

export { CLIENT_PATH, REGISTRATION_PATH };

export type RouteName = 'register' | 'read' | 'update' | 'delete';

export interface Route {
  readonly name: RouteName;
  readonly method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  /** API Gateway resource path; `{clientId}` is the path parameter. */
  readonly path: string;
  /** Handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** What the function may do to the client table (least privilege). */
  readonly tableActions: readonly string[];
}


export const ROUTES: readonly Route[] = [
  { name: 'register', method: 'POST', path: REGISTRATION_PATH, entry: 'functions/register.ts', tableActions: ['dynamodb:PutItem'] },
  // read may rotate the secret and the registration access token, which is a conditional update
  { name: 'read', method: 'GET', path: CLIENT_PATH, entry: 'functions/read.ts', tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
  { name: 'update', method: 'PUT', path: CLIENT_PATH, entry: 'functions/update.ts', tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
  { name: 'delete', method: 'DELETE', path: CLIENT_PATH, entry: 'functions/delete.ts', tableActions: ['dynamodb:GetItem', 'dynamodb:DeleteItem'] },
];
