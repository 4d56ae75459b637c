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
  readonly tableActions: readonly TableAction[];
  /** What it may do with the key that seals recoverable client secrets. */
  readonly keyActions: readonly KeyAction[];
}

type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:DeleteItem';
type KeyAction = 'kms:Encrypt' | 'kms:Decrypt';

export const ROUTES: readonly Route[] = [
  {
    name: 'register',
    method: 'POST',
    path: REGISTRATION_PATH,
    entry: 'functions/register.ts',
    tableActions: ['dynamodb:PutItem'],
    keyActions: ['kms:Encrypt'],
  },
  // read may rotate the secret and the registration access token (a conditional update), and returns
  // a recoverable secret when rotation is off
  {
    name: 'read',
    method: 'GET',
    path: CLIENT_PATH,
    entry: 'functions/read.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    keyActions: ['kms:Encrypt', 'kms:Decrypt'],
  },
  {
    name: 'update',
    method: 'PUT',
    path: CLIENT_PATH,
    entry: 'functions/update.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    keyActions: ['kms:Encrypt', 'kms:Decrypt'],
  },
  { name: 'delete', method: 'DELETE', path: CLIENT_PATH, entry: 'functions/delete.ts', tableActions: ['dynamodb:DeleteItem'], keyActions: [] },
];
