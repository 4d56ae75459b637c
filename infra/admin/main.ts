// `npm run admin -- <command>`: operator commands of the DCR service. See `npm run admin -- --help`.
import { runClientAdmin } from './client-commands.js';
import { runAdmin } from './iat-commands.js';

const argv = process.argv.slice(2);
const io = {
  env: process.env,
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
};

// `clients ...` (docs/lifecycle.md); everything else is `iat ...` (and --help)
(argv.find((argument) => !argument.startsWith('-')) === 'clients' ? runClientAdmin(argv, io) : runAdmin(argv, io)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  },
);
