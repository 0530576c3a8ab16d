export type { AuthConfig, AuthMethod, CloudName, Config, DatabaseConfig, Secret } from './config.js';
export { loadConfig, type ConfigFlags, type LoadConfigOptions } from './load-config.js';
export { CLOUDS, CLOUD_NAMES, isMicrosoftLoginHost, type CloudEndpoints } from './clouds.js';
export { createSecret, isSecret } from './secret.js';
