export { assertFolderExists, openDatabase, type OpenOptions } from './open-database.js';
export { acquireRunLock, type RunLock } from './run-lock.js';
export { bindTenant, getMeta, setMeta } from './tenant-binding.js';
export * from './entities.js';
export * from './relations.js';
export * from './runs.js';
export * from './sync-state.js';
export { isoNow, type Db } from './sqlite.js';
export { WriteBatch } from './write-batch.js';
