/**
 * Code only an optional feature runs is not loaded at a cold start: it is imported with `import()`
 * (esbuild makes it a chunk of its own, infra/bundling.ts) the first time a request needs it, then
 * kept for the container. `load` runs on the first call; later calls share its promise, so a warm
 * request pays nothing. A load that fails is forgotten: the request that met it fails like any
 * internal error (500) and the next one tries again.
 */
export function loadOnFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= Promise.resolve()
      .then(load)
      .catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
    return loading;
  };
}
