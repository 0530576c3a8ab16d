import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { AuthError, ConfigError } from '../errors/index.js';
import type { Secret } from '../config/config.js';

/**
 * Reads the certificate file for ClientCertificateCredential and returns PEM text holding the
 * certificate(s) and an unencrypted private key. A PFX/PKCS#12 file is converted in memory with
 * node-forge (Node's crypto cannot read PKCS#12); an encrypted PEM key is decrypted with the password.
 * Equivalent by hand: `openssl pkcs12 -in app.pfx -out app.pem -nodes`.
 */
export function loadCertificatePem(path: string, password?: Secret): string {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('CONFIG_INVALID', `AZURE_CLIENT_CERTIFICATE_PATH ${path} cannot be read (${code}).`, {
      suggestion: 'Point AZURE_CLIENT_CERTIFICATE_PATH at an existing, readable PEM or PFX file with the private key.',
      cause: err,
    });
  }
  const text = data.toString('latin1');
  const pem = text.includes('-----BEGIN') ? fromPem(path, data.toString('utf8'), password) : fromPfx(path, data, password);
  return pem;
}

function invalid(path: string, what: string, cause?: unknown): AuthError {
  return new AuthError('AUTH_INVALID_CERTIFICATE', `The certificate file ${path} ${what}.`, {
    suggestion:
      'Use a PEM with both "-----BEGIN CERTIFICATE-----" and a private key block, or a PFX/P12 with its password in AZURE_CLIENT_CERTIFICATE_PASSWORD; upload the certificate (public part) under App registrations > your app > Certificates & secrets.',
    cause,
  });
}

function fromPem(path: string, text: string, password?: Secret): string {
  const certs = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  const keyBlock = text.match(/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/);
  if (!certs) throw invalid(path, 'has no "-----BEGIN CERTIFICATE-----" block');
  if (!keyBlock) throw invalid(path, 'has no private key block');
  let keyPem: string;
  try {
    const key = createPrivateKey({ key: keyBlock[0], format: 'pem', passphrase: password?.reveal() ?? '' });
    keyPem = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch (err) {
    const encrypted = /ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(keyBlock[0]);
    throw invalid(
      path,
      encrypted ? 'has an encrypted private key that AZURE_CLIENT_CERTIFICATE_PASSWORD does not open' : 'has a private key that cannot be read',
      err,
    );
  }
  return `${keyPem.trim()}\n${certs.join('\n')}\n`;
}

function fromPfx(path: string, data: Buffer, password?: Secret): string {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password?.reveal() ?? '');
  } catch (err) {
    // forge's messages carry no secret, but keep ours generic: "Invalid password?" or an ASN.1 parse failure.
    const mac = err instanceof Error && /mac|password/i.test(err.message);
    throw invalid(
      path,
      mac ? 'is a PFX that AZURE_CLIENT_CERTIFICATE_PASSWORD does not open' : 'is neither PEM nor a valid PFX/PKCS#12 file',
    );
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const key = keyBags.find((b) => b.key)?.key;
  const certs = certBags.flatMap((b) => (b.cert ? [forge.pki.certificateToPem(b.cert)] : []));
  if (!key) throw invalid(path, 'is a PFX without a private key');
  if (certs.length === 0) throw invalid(path, 'is a PFX without a certificate');
  return `${forge.pki.privateKeyToPem(key).trim()}\n${certs.join('')}`;
}
