// `npm run admin -- <command>`: operator commands of the DCR service. See `npm run admin -- --help`.
import { runAdmin } from './iat-commands.js';

runAdmin(process.argv.slice(2), {
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  },
);
