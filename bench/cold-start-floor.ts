// The floor of `npm run bench:cold`: the least every route needs, a DynamoDB request and the settings
// read, with the clients built at load time as ours are. Bundled with the routes' options; never deployed.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';

const dynamodb = new DynamoDBClient({});
const ssm = new SSMClient({});

export const handler = async () => [
  await dynamodb.send(new GetItemCommand({ TableName: 't', Key: {} })),
  await ssm.send(new GetParametersCommand({ Names: ['n'] })),
];
