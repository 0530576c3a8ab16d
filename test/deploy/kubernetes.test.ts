import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cliArgs, parseWithCli, unknownNames } from './support/cli-surface.js';
import { configVariables, loadRecipeConfig } from './support/config-variables.js';
import { execForm, instructions, parseDockerfile } from './support/dockerfile.js';
import { deployFiles, readRepoFile } from './support/repo.js';
import { cronScheduleProblems, memoryBytes } from './support/schedules.js';

/** Peak RSS of `npm run bench` (100k users, 20k groups, 1M memberships): about 250 MB. */
const BENCH_PEAK_RSS_BYTES = 250 * 2 ** 20;

/**
 * What the AKS workload identity webhook injects into a pod labelled azure.workload.identity/use: "true"
 * (https://azure.github.io/azure-workload-identity/docs/installation/mutating-admission-webhook.html).
 */
const WEBHOOK_TOKEN_FILE = '/var/run/secrets/azure/tokens/azure-identity-token';
const webhookEnv = (clientId: string) => ({
  AZURE_CLIENT_ID: clientId,
  AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
  AZURE_FEDERATED_TOKEN_FILE: WEBHOOK_TOKEN_FILE,
  AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
});

interface Metadata {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Mount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  volumeMounts?: Mount[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: unknown;
}
interface PodSpec {
  restartPolicy?: string;
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: Volume[];
}
interface CronJob {
  apiVersion: string;
  kind: 'CronJob';
  metadata: Metadata;
  spec: {
    schedule: string;
    timeZone?: string;
    concurrencyPolicy?: string;
    startingDeadlineSeconds?: number;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: {
      spec: {
        backoffLimit?: number;
        podFailurePolicy?: { rules: { action: string; onExitCodes?: { containerName?: string; values: number[] } }[] };
        template: { metadata?: Metadata; spec: PodSpec };
      };
    };
  };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
}

const manifests = deployFiles().filter((f) => f.startsWith('deploy/kubernetes/') && /\.ya?ml$/.test(f));

/** Every YAML document of a file; a syntax error or warning in any of them fails the file. */
function load(file: string): K8sObject[] {
  return parseAllDocuments(readRepoFile(file)).map((doc, i) => {
    const problems = [...doc.errors, ...doc.warnings].map((e) => e.message);
    if (problems.length > 0) throw new Error(`${file} document ${i + 1}: ${problems.join('; ')}`);
    return doc.toJS() as K8sObject;
  });
}

/** The image's ENTRYPOINT (deploy/Dockerfile, last stage): what runs when a container gives no `command`. */
function imageEntrypoint(): string[] {
  const last = parseDockerfile(readRepoFile('deploy/Dockerfile')).at(-1)!;
  return execForm(instructions(last, 'ENTRYPOINT').at(-1)!);
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('there are manifests, and every document parses with apiVersion, kind and a name', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const file of manifests) {
      for (const obj of load(file)) {
        expect(obj.apiVersion, file).toEqual(expect.any(String));
        expect(obj.kind, file).toEqual(expect.any(String));
        expect(obj.metadata?.name, `${file} ${obj.kind}`).toEqual(expect.any(String));
      }
    }
  });

  describe.each(manifests)('%s', (file) => {
    const objects = load(file);
    const cronJobs = objects.filter((o): o is CronJob => o.kind === 'CronJob');
    const named = (kind: string, name: string | undefined) => objects.find((o) => o.kind === kind && o.metadata.name === name);

    it('holds at least one CronJob', () => {
      expect(cronJobs.length).toBeGreaterThan(0);
    });

    describe.each(cronJobs.map((c) => [c.metadata.name, c] as const))('CronJob %s', (_name, cronJob) => {
      const job = cronJob.spec.jobTemplate.spec;
      const pod = job.template.spec;
      const container = pod.containers[0]!;
      const env = new Map((container.env ?? []).map((e) => [e.name, e]));
      const envValue = (name: string) => env.get(name)?.value;
      const mountAt = (path: string) => (container.volumeMounts ?? []).find((m) => m.mountPath === path);
      const volume = (name: string | undefined) => (pod.volumes ?? []).find((v) => v.name === name);

      it('is a batch/v1 CronJob on a valid daily schedule that never overlaps itself', () => {
        expect(cronJob.apiVersion).toBe('batch/v1');
        expect(cronScheduleProblems(cronJob.spec.schedule)).toEqual([]);
        expect(cronJob.spec.schedule.trim().split(/\s+/).slice(2)).toEqual(['*', '*', '*']);
        if (cronJob.spec.timeZone !== undefined) expect(() => new Intl.DateTimeFormat('en', { timeZone: cronJob.spec.timeZone })).not.toThrow();
        expect(cronJob.spec.concurrencyPolicy).toBe('Forbid');
        expect(cronJob.spec.startingDeadlineSeconds).toBeGreaterThan(0);
        expect(cronJob.spec.successfulJobsHistoryLimit).toEqual(expect.any(Number));
        expect(cronJob.spec.failedJobsHistoryLimit).toEqual(expect.any(Number));
        expect(job.backoffLimit).toEqual(expect.any(Number));
        expect(pod.containers).toHaveLength(1);
      });

      it('a podFailurePolicy, if any, names the container and needs restartPolicy Never', () => {
        expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
        if (!job.podFailurePolicy) return;
        expect(pod.restartPolicy).toBe('Never');
        for (const rule of job.podFailurePolicy.rules) {
          if (rule.onExitCodes?.containerName !== undefined) expect(rule.onExitCodes.containerName).toBe(container.name);
        }
      });

      it('runs "entra-extract pull" with options the CLI has', async () => {
        const program = container.command ?? imageEntrypoint();
        const fromProgram = cliArgs(program);
        expect(fromProgram, `${program.join(' ')} is not the CLI`).toBeDefined();
        const args = [...fromProgram!, ...(container.args ?? [])];
        expect(unknownNames(args), args.join(' ')).toEqual([]);
        expect((await parseWithCli(args)).command).toBe('pull');
      });

      it('sets only configuration variables (.env.example, CONTRACT.md section 2, proxy and runtime variables)', () => {
        const known = configVariables();
        expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
        for (const e of env.values()) expect(e.value !== undefined || e.valueFrom !== undefined, e.name).toBe(true);
        expect(envValue('AZURE_CLIENT_SECRET'), 'a secret in plain text in the manifest').toBeUndefined();
      });

      it('keeps the database (ENTRA_DB) on the PersistentVolumeClaim mounted at its folder', () => {
        const db = envValue('ENTRA_DB');
        expect(db).toMatch(/^\//);
        const mount = mountAt(posix.dirname(db!));
        expect(mount, `no volume mounted at ${posix.dirname(db!)}`).toBeDefined();
        expect(mount!.readOnly ?? false).toBe(false);
        const claim = volume(mount!.name)?.persistentVolumeClaim?.claimName;
        expect(claim, `volume ${mount!.name} is not a persistentVolumeClaim`).toBeDefined();
        expect(named('PersistentVolumeClaim', claim), `PersistentVolumeClaim ${claim} in ${file}`).toBeDefined();
      });

      it('takes the credential from a mounted Secret (AZURE_CLIENT_SECRET_FILE) or from workload identity', () => {
        const secretFile = envValue('AZURE_CLIENT_SECRET_FILE');
        const workloadIdentity = envValue('ENTRA_AUTH') === 'workload-identity';
        expect(secretFile !== undefined !== workloadIdentity, 'exactly one of the two').toBe(true);
        if (secretFile !== undefined) {
          const mount = mountAt(posix.dirname(secretFile));
          expect(mount, `no volume mounted at ${posix.dirname(secretFile)}`).toBeDefined();
          expect(mount!.readOnly).toBe(true);
          const secret = volume(mount!.name)?.secret;
          expect(secret, `volume ${mount!.name} is not a Secret`).toBeDefined();
          expect(secret!.items?.map((i) => i.path), 'the Secret key projected under the file name').toContain(posix.basename(secretFile));
        } else {
          // The pod label and the service account annotation the webhook acts on (see the manifest's comment).
          expect(job.template.metadata?.labels?.['azure.workload.identity/use']).toBe('true');
          const account = named('ServiceAccount', pod.serviceAccountName);
          expect(account, `ServiceAccount ${pod.serviceAccountName} in ${file}`).toBeDefined();
          expect(account!.metadata.annotations?.['azure.workload.identity/client-id']).toMatch(/^[0-9a-f-]{36}$/i);
          const known = configVariables();
          expect(Object.keys(webhookEnv('')).filter((name) => !known.has(name))).toEqual([]);
        }
      });

      it("passes the CLI's own configuration loader, as `pull` would start", () => {
        const plain = Object.fromEntries([...env].filter(([, e]) => e.value !== undefined).map(([name, e]) => [name, e.value!]));
        const workloadIdentity = plain.ENTRA_AUTH === 'workload-identity';
        const clientId = named('ServiceAccount', pod.serviceAccountName)?.metadata.annotations?.['azure.workload.identity/client-id'] ?? '';
        const config = loadRecipeConfig(workloadIdentity ? { ...webhookEnv(clientId), ...plain } : plain);
        expect(config.auth.method).toBe(workloadIdentity ? 'workload-identity' : 'secret');
        expect(config.dbPath).toBe(plain.ENTRA_DB);
      });

      it("requests memory for the benchmark's peak RSS, with a higher limit", () => {
        const request = memoryBytes(container.resources?.requests?.memory ?? '');
        const limit = memoryBytes(container.resources?.limits?.memory ?? '');
        expect(request).toBeGreaterThanOrEqual(BENCH_PEAK_RSS_BYTES);
        expect(limit).toBeGreaterThanOrEqual(request!);
        expect(container.resources?.requests?.cpu).toBeDefined();
      });

      it('runs as non-root with a read-only root filesystem, no privilege escalation, no capabilities', () => {
        expect(pod.securityContext?.runAsNonRoot ?? container.securityContext?.runAsNonRoot).toBe(true);
        expect(pod.securityContext?.runAsUser ?? container.securityContext?.runAsUser).not.toBe(0);
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(container.securityContext?.capabilities?.drop).toContain('ALL');
        const tmp = mountAt('/tmp');
        expect(tmp, 'a writable /tmp for SQLite with the root filesystem read-only').toBeDefined();
        expect(volume(tmp!.name)?.emptyDir).toBeDefined();
      });
    });
  });
});
