import { constants, createHmac, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * Minimal JWT helpers for the login simulation: HS256 for issued tokens, RS256/PS256 for client
 * assertions and for the tokens of simulated external issuers (federated credentials).
 */

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signHs256(claims: Record<string, unknown>, key: Buffer, kid: string): string {
  const input = `${base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid }))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(createHmac('sha256', key).update(input).digest())}`;
}

export function signRs256(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const input = `${base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }))}.${base64url(JSON.stringify(claims))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), privateKey))}`;
}

/** Splits and parses a compact JWT; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

export function verifyHs256(jwt: DecodedJwt, key: Buffer): boolean {
  if (jwt.header.alg !== 'HS256') return false;
  const expected = createHmac('sha256', key).update(jwt.signingInput).digest();
  return expected.length === jwt.signature.length && timingSafeEqual(expected, jwt.signature);
}

/** Verifies an RS256 or PS256 signature with a PEM public key, or the public key of a PEM certificate. */
export function verifyRsa(jwt: DecodedJwt, certificatePem: string): boolean {
  let key: KeyObject;
  try {
    key = createPublicKey(certificatePem);
  } catch {
    return false;
  }
  const data = Buffer.from(jwt.signingInput);
  if (jwt.header.alg === 'RS256') return verify('sha256', data, key, jwt.signature);
  if (jwt.header.alg === 'PS256') {
    return verify(
      'sha256',
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      jwt.signature,
    );
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
