export { Tenant } from './tenant.js';
export { generateTenant, demoTenant, type GenerateTenantOptions } from './generate-tenant.js';
export { randomChanges, type RandomChangesResult } from './random-changes.js';
export { mulberry32, type Rng } from './prng.js';
export type * from './tenant-types.js';
