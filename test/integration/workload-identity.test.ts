import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo, cliArgv } from '../support/cli-capture.js';
import { main } from '../../src/cli/main.js';
import { createSimTokenIssuer } from '../../src/sim/login/federated-issuer.js';
import { createSimWorld, SECRET, type SimWorld } from '../support/sim-world.js';
import { databaseBytes, expectTruth, readDb } from '../support/integration-helpers.js';

/**
 * Without a secret in the environment: a whole `pull` through the CLI (in process) with
 * ENTRA_AUTH=workload-identity, and with AZURE_CLIENT_SECRET_FILE. Both equal the tenant's truth, and
 * neither the secret nor the federated token appears in the database, the progress lines, the summary
 * or the error output.
 */
let world: SimWorld;
afterEach(() => world?.close());

const K8S = 'https://oidc.k8s.sim.test/3f1c2b4a-aks/';
const SUBJECT = 'system:serviceaccount:entra:entra-extract';
const ROTATED_SUBJECT = 'system:serviceaccount:entra:entra-extract-v2';
/** Header.payload of a JWT: two base64url JSON objects, both starting '{"' → 'eyJ'. */
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}/;
const argv = cliArgv;

/** The CLI's io with captured output, in a fresh working directory (where .env is read). */
function cli(env: Record<string, string>) {
  const c = captureIo(env);
  return { io: c.io, cwd: c.cwd, db: join(c.cwd, 'entra.db'), output: () => `${c.stdout()}\n${c.stderr()}`, stderr: c.stderr };
}

/** The environment of the simulated world without its client secret. */
function secretless(): Record<string, string> {
  const env: Record<string, string> = { ...world.env };
  delete env.AZURE_CLIENT_SECRET;
  return env;
}

/** Every bearer token Graph saw, and the appidacr (1 secret, 2 assertion) of each. */
function watchTokens() {
  const tokens = new Set<string>();
  world.intercept((req) => {
    const auth = req.headers.get('authorization');
    if (auth) tokens.add(auth.replace(/^Bearer\s+/i, ''));
  });
  const acr = () => new Set([...tokens].map((t) => (JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { appidacr: string }).appidacr));
  return { tokens, acr };
}

function expectNowhere(secrets: readonly string[], dbPath: string, output: string): void {
  const bytes = databaseBytes(dbPath);
  expect(bytes.length).toBeGreaterThan(10_000);
  // The search works: the database does hold the data it should.
  expect(bytes).toContain(world.tenant.users.values().next().value!.id);
  for (const s of secrets) {
    expect(bytes.includes(s)).toBe(false);
    expect(output.includes(s)).toBe(false);
  }
  expect(JWT_SHAPE.test(bytes)).toBe(false);
  expect(JWT_SHAPE.test(output)).toBe(false);
}

describe('pull with workload identity (AZURE_FEDERATED_TOKEN_FILE)', () => {
  it('equals the truth, reads the rotated file after a 401, and an unknown subject fails explained; the token is nowhere', async () => {
    const issuer = createSimTokenIssuer(K8S);
    const fics = [{ name: 'aks', issuer: K8S, subject: SUBJECT }];
    world = createSimWorld({ federatedCredentials: fics, federatedIssuers: [issuer] });
    const graphTokens = watchTokens();
    const c = cli({ ...secretless(), ENTRA_AUTH: 'workload-identity' });
    const tokenDir = join(c.cwd, 'var/run/secrets/azure/tokens');
    mkdirSync(tokenDir, { recursive: true });
    const tokenFile = join(tokenDir, 'azure-identity-token');
    const assertions = [issuer.mint({ subject: SUBJECT })];
    writeFileSync(tokenFile, assertions[0]!);
    c.io.env.AZURE_FEDERATED_TOKEN_FILE = tokenFile;

    expect(await main(argv('pull', '--only', 'users,groups', '--db', c.db, '--json'), c.io)).toBe(0);
    expectTruth(c.db, world.tenant);
    expect(graphTokens.acr()).toEqual(new Set(['2'])); // every Graph token came from the federated assertion

    // Second run, ENTRA_AUTH inferred from the file alone. Halfway through, the kubelet rotates the
    // token and Graph refuses the access token. (The federated credential is moved to the new token's
    // subject at that moment, so that only the new file's token is accepted.) The fresh credential made
    // after the 401 reads the new file, and the run completes.
    delete c.io.env.ENTRA_AUTH;
    world.tenant.randomChanges(0.05, 23);
    const before = world.graph.requests.length;
    // The second request of this pull (counted here: the request log also holds $batch sub-requests).
    let sent = 0;
    world.intercept((req) => {
      const auth = req.headers.get('authorization');
      if (auth) graphTokens.tokens.add(auth.replace(/^Bearer\s+/i, ''));
      if (++sent === 2) {
        fics[0]!.subject = ROTATED_SUBJECT;
        assertions.push(issuer.mint({ subject: ROTATED_SUBJECT }));
        writeFileSync(tokenFile, `${assertions[1]!}\n`);
        world.login.revokeAll();
      }
    });
    expect(await main(argv('pull', '--only', 'users,groups', '--db', c.db, '--json'), c.io)).toBe(0);
    expect(world.graph.requests.slice(before).filter((q) => q.status === 401).length).toBeGreaterThanOrEqual(1);
    expect(assertions).toHaveLength(2);
    expectTruth(c.db, world.tenant);
    const runs = readDb(c.db, (db) => db.prepare('SELECT outcome FROM runs ORDER BY id').pluck().all());
    expect(runs).toEqual(['success', 'success']);

    // A token for another service account: exit 1, explained with Entra's code, recorded in the ledger.
    assertions.push(issuer.mint({ subject: 'system:serviceaccount:default:default' }));
    writeFileSync(tokenFile, assertions[2]!);
    const failed = cli(c.io.env as Record<string, string>);
    expect(await main(argv('pull', '--only', 'users,groups', '--db', c.db), failed.io)).toBe(1);
    expect(failed.stderr()).toMatch(/error: AADSTS700213: app 9a8b7c6d-.* has no federated credential for the subject of the token in AZURE_FEDERATED_TOKEN_FILE .*subject system:serviceaccount:default:default/);
    expect(failed.stderr()).toMatch(/what to do: .*Federated credentials/);
    const lastError = readDb(c.db, (db) => db.prepare('SELECT outcome, error FROM runs ORDER BY id DESC LIMIT 1').get()) as { outcome: string; error: string };
    expect(lastError).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^AADSTS700213/) });

    const signatures = assertions.map((a) => a.split('.')[2]!);
    expectNowhere([...assertions, ...signatures, ...graphTokens.tokens], c.db, `${c.output()}\n${failed.output()}`);
    expect(world.login.stats.failures).toBe(1);
  });
});

describe('pull with AZURE_CLIENT_SECRET_FILE', () => {
  it('reads the secret from the file named in .env, equals the truth; a wrong file fails explained; the secret is nowhere', async () => {
    world = createSimWorld();
    const graphTokens = watchTokens();
    const c = cli(secretless());
    mkdirSync(join(c.cwd, 'secrets'));
    writeFileSync(join(c.cwd, 'secrets', 'entra-client-secret'), `${SECRET}\n`); // as `echo` writes it
    writeFileSync(join(c.cwd, '.env'), 'AZURE_CLIENT_SECRET_FILE=secrets/entra-client-secret\n');

    expect(await main(argv('pull', '--only', 'users,groups', '--db', c.db, '--json'), c.io)).toBe(0);
    expectTruth(c.db, world.tenant);
    expect(graphTokens.acr()).toEqual(new Set(['1']));

    // A file holding a secret that is not the app's.
    const wrong = 'rotated-Away~old.secret_value-99';
    const wrongFile = join(c.cwd, 'secrets', 'old');
    writeFileSync(wrongFile, wrong);
    const failed = cli({ ...secretless(), AZURE_CLIENT_SECRET_FILE: wrongFile });
    expect(await main(argv('pull', '--only', 'users,groups', '--db', c.db, '--json'), failed.io)).toBe(1);
    expect(failed.stderr()).toMatch(/AADSTS7000215: the client secret is not valid/);
    expect(JSON.parse(failed.output().split('\n').find((l) => l.startsWith('{"ok":false'))!)).toMatchObject({ ok: false, error: { code: 'AUTH_INVALID_SECRET' } });

    // A missing file: a configuration error naming the variable and the path, before any request.
    const requests = world.graph.requests.length;
    const missing = cli({ ...secretless(), AZURE_CLIENT_SECRET_FILE: '/run/secrets/entra-client-secret' });
    expect(await main(argv('pull', '--only', 'users,groups', '--db', c.db), missing.io)).toBe(1);
    expect(missing.stderr()).toMatch(/^error: AZURE_CLIENT_SECRET_FILE \/run\/secrets\/entra-client-secret cannot be read \(ENOENT\)\./);
    expect(world.graph.requests.length).toBe(requests);

    expectNowhere([SECRET, wrong, ...graphTokens.tokens], c.db, `${c.output()}\n${failed.output()}\n${missing.output()}`);
  });
});
