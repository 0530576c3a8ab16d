export type { TokenSource } from './token-source.js';
export { createTokenSource, type TokenSourceOptions } from './create-token-source.js';
export { createCredentialFactory, planCredential, type CredentialPlan } from './create-credential.js';
export { explainAuthError } from './explain-auth-error.js';
export { loadCertificatePem } from './load-certificate.js';
