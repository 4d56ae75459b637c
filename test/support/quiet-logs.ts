import { setLogLevel } from '../../lib/log.js';

// Every test file starts with silent logs; a test that reads log lines turns them on itself.
setLogLevel('silent');
