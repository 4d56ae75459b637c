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
  /** What it may do to the table of the initial access tokens this service issues (`npm run admin -- iat`). */
  readonly tokenTableActions: readonly TableAction[];
  /**
   * What it may do with the SSM SecureString holding the introspection client secret; granted only
   * when token introspection is configured.
   */
  readonly secretParameterActions: readonly SecretParameterAction[];
}

type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:DeleteItem';
type KeyAction = 'kms:Encrypt' | 'kms:Decrypt';
type SecretParameterAction = 'ssm:GetParameter';

// Only registration verifies initial access tokens: it reads a service-issued token and takes one of
// its uses (a conditional UpdateItem, also how a use is given back), and reads the introspection secret.
// The client caps are counter items in the client table, changed by UpdateItem: registration takes
// places, delete gives them back.
export const ROUTES: readonly Route[] = [
  {
    name: 'register',
    method: 'POST',
    path: REGISTRATION_PATH,
    entry: 'functions/register.ts',
    tableActions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    keyActions: ['kms:Encrypt'],
    tokenTableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    secretParameterActions: ['ssm:GetParameter'],
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
    tokenTableActions: [],
    secretParameterActions: [],
  },
  // update reads the item when a guarded write fails, and first while registration policies are
  // configured (the client's policy lists are on it)
  {
    name: 'update',
    method: 'PUT',
    path: CLIENT_PATH,
    entry: 'functions/update.ts',
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    keyActions: ['kms:Encrypt', 'kms:Decrypt'],
    tokenTableActions: [],
    secretParameterActions: [],
  },
  {
    name: 'delete',
    method: 'DELETE',
    path: CLIENT_PATH,
    entry: 'functions/delete.ts',
    tableActions: ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    keyActions: [],
    tokenTableActions: [],
    secretParameterActions: [],
  },
];
