/**
 * An AWS SDK request handler that never answers (a stalled SSM or KMS), but honours the abort signal
 * it is handed, as the SDK's own handler does. `signals` records what each request was handed.
 */
export function stalledTransport() {
  const signals: (AbortSignal | undefined)[] = [];
  const requestHandler = {
    handle(_request: unknown, options: { abortSignal?: AbortSignal } = {}) {
      signals.push(options.abortSignal);
      return new Promise<never>((_resolve, reject) => {
        options.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })), {
          once: true,
        });
      });
    },
    destroy() {},
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { requestHandler, signals };
}

export const TEST_AWS = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;
