import { lifecycleEventsHandler } from '../lib/runtime/lifecycle-events.js';

// The client table's stream -> lifecycle events on EventBridge (docs/lifecycle.md; infra/lifecycle-events.ts).
export const handler = lifecycleEventsHandler();
