import { apiHandler } from '../http/api-handler.js';
import type { HttpRequest, UseCaseAnswer } from '../http/types.js';
import type { RegistrationDependencies } from '../registration/dependencies.js';
import type { SettingsCheck } from '../settings/settings-source.js';
import { type Core, coreFromEnv, type Runtime } from './core.js';

// What a Lambda entry (functions/*.ts) is made of: its route's use case, the shared wiring, and the
// extras only that route needs (registration's initial access token verifiers). Each entry imports
// just these, so each bundle carries its own route and nothing of the others.

export type RouteUseCase = (deps: RegistrationDependencies, request: HttpRequest) => Promise<UseCaseAnswer>;

/** What a route adds to the shared wiring. */
export interface RouteWiring {
  /** Ports only this route uses, built from the same environment and DynamoDB client. */
  readonly extras?: (core: Core) => Partial<RegistrationDependencies>;
  /** Further checks of the settings read (register and update check the registration policies). */
  readonly settingsCheck?: SettingsCheck;
}

let current: Runtime | undefined;

/** Replaces the container's runtime for every route: the local server and the integration tests use this. */
export function setRuntime(runtime: Runtime | undefined): void {
  current = runtime;
}

/** The runtime set by setRuntime, if any. */
export function getRuntime(): Runtime | undefined {
  return current;
}

/** The Lambda handler of one route: the runtime is built from process.env on first use, then reused. */
export function routeHandler(route: string, useCase: RouteUseCase, { extras, settingsCheck }: RouteWiring = {}) {
  let own: Runtime | undefined;
  const ownRuntime = (): Runtime => {
    if (own === undefined) {
      const core = coreFromEnv(process.env, { settingsCheck });
      own = extras ? { ...core.runtime, dependencies: { ...core.runtime.dependencies, ...extras(core) } } : core.runtime;
    }
    return own;
  };
  return apiHandler(route, () => {
    const runtime = current ?? ownRuntime();
    return {
      useCase: (request: HttpRequest) => useCase(runtime.dependencies, request),
      publicBaseUrl: runtime.publicBaseUrl,
      stage: runtime.stage,
    };
  });
}
