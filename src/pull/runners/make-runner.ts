import type { Step } from '../connector.js';
import { deriveRunner } from './derive-runner.js';
import { enrichRunner } from './enrich-runner.js';
import { eventsRunner } from './events-runner.js';
import { fanOutRunner } from './fan-out-runner.js';
import { graphPagesRunner } from './graph-pages-runner.js';
import { listingRunner } from './listing-runner.js';
import type { Runner, RunnerEnv } from './runner.js';

/** The runner for a step's kind. */
export function makeRunner(step: Step, env: RunnerEnv, stateKey: string): Runner {
  switch (step.kind) {
    case 'delta':
      return step.listing ? listingRunner({ ...step, listing: step.listing }, env, stateKey) : graphPagesRunner(step, env);
    case 'list':
      return graphPagesRunner(step, env);
    case 'fanOut':
      return fanOutRunner(step, env);
    case 'derive':
      return deriveRunner(step, env);
    case 'events':
      return eventsRunner(step, env, stateKey);
    case 'enrich':
      return enrichRunner(step, env);
  }
}
