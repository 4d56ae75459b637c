import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CDK synthesis bundles four functions with esbuild; client tests start the local server
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // logs stay quiet unless a test turns them on (setLogLevel); runtimes built from the environment read DCR_LOG_LEVEL
    setupFiles: ['test/support/quiet-logs.ts'],
    env: { DCR_LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
