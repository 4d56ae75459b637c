// `npm run admin -- <command>`: operator commands of the DCR service. See `npm run admin -- --help`.
import { runClientAdmin } from './client-commands.js';
import { runAdmin } from './iat-commands.js';

const argv = process.argv.slice(2);
const io = {
  env: process.env,
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
};

// `clients ...` (docs/lifecycle.md), `stack-trace` (docs/operations.md); everything else is `iat ...` (and --help)
// (stack-trace loads esbuild and the CDK app's modules: only when asked for)
const COMMAND_GROUPS: Record<string, typeof runAdmin> = {
  clients: runClientAdmin,
  'stack-trace': async (args, commandIo) => (await import('./stack-trace-commands.js')).runStackTrace(args, commandIo),
};
(COMMAND_GROUPS[argv.find((argument) => !argument.startsWith('-')) ?? ''] ?? runAdmin)(argv, io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  },
);
