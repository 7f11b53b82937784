import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { describe, expect, it } from 'vitest';
import { healthRoutes } from '../../../src/api/routes/health.js';
import type { ApiDeps } from '../../../src/api/ports.js';
import { defaults } from '../../../src/config/defaults.js';
import { CONFIG_FILE_ENV, ENV_KEYS, loadConfig } from '../../../src/config/load.js';
import { type K8sObject, readYamlDocuments, renderKustomization } from './render.js';

/**
 * deploy/kubernetes against the Kubernetes API's schemas and against the code: a port, a probe
 * path, an environment name or a secret's path that drifts from what the replica reads fails here.
 */

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BASE = join(REPO, 'deploy', 'kubernetes');

/** The schema each kind is checked against (the Kubernetes API's OpenAPI, the operator's CRD). */
const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

// Loose shapes of what the checks read; the models above check the full shape.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe?: Probe;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext: Record<string, unknown>;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface Volume {
  name: string;
  secret?: { secretName: string; defaultMode?: number; items?: { key: string; path: string }[] };
}
interface PodSpec {
  containers: Container[];
  volumes: Volume[];
  securityContext: Record<string, unknown>;
  terminationGracePeriodSeconds: number;
  topologySpreadConstraints: { topologyKey: string; whenUnsatisfiable: string; labelSelector: { matchLabels: Record<string, string> } }[];
}

const objects = renderKustomization(BASE);
const one = (kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `one ${kind} in the base`).toHaveLength(1);
  return found[0]!;
};
const deployment = one('Deployment') as K8sObject & {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};
const pod = deployment.spec.template.spec;
const podLabels = deployment.spec.template.metadata.labels;
const container = pod.containers[0]!;
const configMap = one('ConfigMap') as K8sObject & { data: Record<string, string> };
const cm = configMap.data;
const service = one('Service') as K8sObject & {
  spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] };
};

const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const apiPort = Number(cm.SEQCHAIN_API_PORT ?? defaults.api.port);
/** A container port by name or number, as a probe or a Service's targetPort names it. */
const containerPort = (port: string | number) => (typeof port === 'number' ? port : container.ports.find((p) => p.name === port)?.containerPort);
const portOf = (hostPort: string) =>
  Number(
    hostPort
      .replace(/^[a-z]+:\/\//, '')
      .split('/')[0]!
      .split(':')
      .pop(),
  );

/** Every environment name the replica reads. */
const KNOWN_ENV = new Set([...Object.keys(ENV_KEYS), CONFIG_FILE_ENV]);
/** Settings that name a file: a secret mounted from a Secret volume. */
const FILE_ENV = [...Object.entries(ENV_KEYS).filter(([, key]) => /File$/.test(key)), [CONFIG_FILE_ENV, '(config file)'] as const].map(([env]) => env);

describe('deploy/kubernetes: the rendered base', () => {
  it('holds only kinds whose schema the test knows, and every object validates against it', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceMonitor']);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.file}: a schema for ${o.apiVersion} ${o.kind}`).toBeDefined();
      const { file: _file, ...manifest } = o;
      expect(() => new Model!(manifest as never).validate(), `${o.file}: ${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('runs 3 replicas, one per node, under a PDB of one, and every selector picks the pods', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(matches(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
    const perNode = pod.topologySpreadConstraints.find((t) => t.topologyKey === 'kubernetes.io/hostname');
    expect(perNode?.whenUnsatisfiable).toBe('DoNotSchedule');
    expect(matches(perNode!.labelSelector.matchLabels, podLabels)).toBe(true);
    const pdb = one('PodDisruptionBudget') as K8sObject & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } };
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    const policy = one('NetworkPolicy') as K8sObject & { spec: { podSelector: { matchLabels: Record<string, string> } } };
    expect(matches(policy.spec.podSelector.matchLabels, podLabels)).toBe(true);
    const monitor = one('ServiceMonitor') as K8sObject & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
    };
    expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels ?? {})).toBe(true);
    expect(monitor.spec.endpoints.map((e) => [e.port, e.path])).toEqual([[service.spec.ports[0]!.name, '/metrics']]);
  });

  it('runs the image as built: the Dockerfile entrypoint, its default command, as a non-root user with nothing to escalate', () => {
    const dockerfile = readFileSync(join(REPO, 'deploy', 'Dockerfile'), 'utf8');
    const instruction = (name: string) => JSON.parse([...dockerfile.matchAll(new RegExp(`^${name} (\\[.*\\])$`, 'gm'))].pop()![1]!) as string[];
    expect(container.command ?? instruction('ENTRYPOINT')).toEqual(instruction('ENTRYPOINT'));
    expect(container.args).toEqual(instruction('CMD'));
    // ENTRYPOINT's path is relative to the image's WORKDIR.
    expect(container.workingDir).toBeUndefined();
    expect(readFileSync(join(REPO, 'src', 'cli', 'commands', `${container.args![0]}.ts`), 'utf8')).toContain(`program.command('${container.args![0]}')`);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests.memory && container.resources.limits.memory).toBeTruthy();
  });

  it('uses the API port of the config on the container, the advertised URL, the Service and the NetworkPolicy', () => {
    expect(container.ports.map((p) => p.containerPort)).toEqual([apiPort]);
    expect(containerPort(service.spec.ports[0]!.targetPort)).toBe(apiPort);
    const advertised = container.env?.find((e) => e.name === 'SEQCHAIN_API_ADVERTISED_URL')?.value;
    expect(portOf(advertised ?? '')).toBe(apiPort);
    const policy = one('NetworkPolicy') as K8sObject & {
      spec: { ingress: { ports: { port: number }[] }[]; egress: { ports: { port: number; protocol: string }[] }[] };
    };
    expect(policy.spec.ingress.flatMap((r) => r.ports.map((p) => p.port))).toEqual([apiPort]);
    // Egress: the port of every address the config connects to, and DNS; nothing else.
    const egress = new Set(policy.spec.egress.flatMap((r) => r.ports.map((p) => `${p.protocol}/${p.port}`)));
    const needed = new Set([
      ...cm.SEQCHAIN_KAFKA_BROKERS!.split(',').map((b) => `TCP/${portOf(b)}`),
      ...cm.SEQCHAIN_ZK_CONNECT!.split(',').map((z) => `TCP/${portOf(z)}`),
      `TCP/${portOf(cm.SEQCHAIN_REDIS_URL!)}`,
      'UDP/53',
      'TCP/53',
    ]);
    expect([...egress].sort()).toEqual([...needed].sort());
  });

  it('probes routes the API has: liveness /healthz, readiness /readyz, on the API port', async () => {
    const app = Fastify();
    healthRoutes(app, {} as ApiDeps);
    await app.ready();
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe!]) {
      expect(app.hasRoute({ method: 'GET', url: probe.httpGet.path }), probe.httpGet.path).toBe(true);
      expect(containerPort(probe.httpGet.port)).toBe(apiPort);
    }
    await app.close();
  });

  it('sets only environment names the config reads, from the ConfigMap the Deployment loads', () => {
    expect(container.envFrom?.map((e) => e.configMapRef?.name)).toEqual([configMap.metadata.name]);
    for (const name of Object.keys(cm)) expect(KNOWN_ENV.has(name), `ConfigMap ${name}`).toBe(true);
    const env = container.env ?? [];
    for (const { name } of env) {
      if (name.startsWith('SEQCHAIN_')) expect(KNOWN_ENV.has(name), `Deployment env ${name}`).toBe(true);
      // Anything else only feeds a $(NAME) reference of another variable.
      else
        expect(
          env.some((e) => e.value?.includes(`$(${name})`)),
          `Deployment env ${name} is used by a $(${name}) reference`,
        ).toBe(true);
    }
    for (const name of env.map((e) => e.name)) expect(cm[name], `${name} set twice (ConfigMap and Deployment)`).toBeUndefined();
  });

  it('mounts each file setting from a Secret at the path the setting names, mode 0440 with the pod group, read-only', () => {
    const fileSettings = FILE_ENV.filter((name) => cm[name] !== undefined);
    expect(fileSettings.length).toBeGreaterThanOrEqual(6);
    const secretFiles = new Set<string>();
    for (const mount of container.volumeMounts) {
      const volume = pod.volumes.find((v) => v.name === mount.name);
      if (!volume?.secret) continue;
      expect(mount.readOnly, mount.name).toBe(true);
      // 0o440: owner root and group fsGroup may read; src/config/secret-file.ts refuses anything looser.
      expect(volume.secret.defaultMode, mount.name).toBe(0o440);
      for (const item of volume.secret.items ?? []) secretFiles.add(join(mount.mountPath, item.path));
    }
    expect(pod.securityContext.fsGroup).toBe(pod.securityContext.runAsGroup);
    const pointed = new Set(fileSettings.map((name) => cm[name]!));
    expect([...pointed].sort()).toEqual([...secretFiles].sort());
  });

  it('is a configuration the replica loads: the ConfigMap, the Deployment env and the secret files in place', () => {
    const root = mkdtempSync(join(tmpdir(), 'seqchain-k8s-'));
    const at = (path: string) => join(root, path);
    const env: Record<string, string> = { ...cm, POD_IP: '10.1.2.3' };
    for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value.replace(/\$\(([A-Z_]+)\)/g, (_m, n: string) => env[n] ?? '');
    env.SEQCHAIN_REPLICA_ID = 'seqchain-6d9f8b7c5-x7k2p';
    for (const name of FILE_ENV.filter((n) => cm[n] !== undefined)) {
      env[name] = at(cm[name]!);
      mkdirSync(dirname(env[name]!), { recursive: true });
      writeFileSync(env[name]!, 'placeholder\n', { mode: 0o600 });
    }
    // The credentials file: the two secrets that have no *_FILE setting (see deployment.yaml).
    writeFileSync(env[CONFIG_FILE_ENV]!, JSON.stringify({ kafka: { sasl: { password: 'p' } }, zookeeper: { auth: 'seqchain:p' } }));
    const config = loadConfig({ env });
    expect(config.api).toMatchObject({ host: '0.0.0.0', port: apiPort, advertisedUrl: `http://10.1.2.3:${apiPort}` });
    expect(config.kafka.sasl).toEqual({ mechanism: cm.SEQCHAIN_KAFKA_SASL_MECHANISM, username: cm.SEQCHAIN_KAFKA_SASL_USERNAME, password: 'p' });
    expect(config.zookeeper.auth).toBe('seqchain:p');
    expect([config.kafka.replicationFactor, config.kafka.minInsyncReplicas]).toEqual([3, 2]);
    expect([config.logView.signingKeyFile].flat()).toEqual([env.SEQCHAIN_LOG_VIEW_SIGNING_KEY_FILE]);
  });
});

describe('deploy/kubernetes/init-job.yaml (applied once, outside the base)', () => {
  const docs = readYamlDocuments(join(BASE, 'init-job.yaml')) as (K8sObject & { spec: { template: { spec: PodSpec } } })[];
  const job = docs[0]!;
  const jobPod = job.spec.template.spec;
  const init = jobPod.containers[0]!;

  it('is one Job that validates against the Kubernetes API schema', () => {
    expect(docs.map((d) => `${d.apiVersion}/${d.kind}`)).toEqual(['batch/v1/Job']);
    expect(() => new Job(job as never).validate()).not.toThrow();
  });

  it("runs `seqchain init` with the replicas' image, configuration, secrets and security settings", () => {
    expect(init.args![0]).toBe('init');
    expect(readFileSync(join(REPO, 'src', 'cli', 'commands', 'init.ts'), 'utf8')).toContain(".command('init')");
    expect(init.args).toContain('--topic');
    expect(init.args).not.toContain('--force');
    expect(init.command).toEqual(container.command);
    expect((init as unknown as { image: string }).image).toBe((container as unknown as { image: string }).image);
    expect(init.envFrom).toEqual(container.envFrom);
    expect(init.volumeMounts).toEqual(container.volumeMounts);
    expect(jobPod.volumes).toEqual(pod.volumes);
    expect(jobPod.securityContext).toEqual(pod.securityContext);
    expect(init.securityContext).toEqual(container.securityContext);
  });
});

describe('readYamlDocuments', () => {
  it('refuses a value that YAML 1.1 (kubectl) and YAML 1.2 read differently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqchain-yaml-'));
    writeFileSync(join(dir, 'a.yaml'), 'defaultMode: 0440\n');
    expect(() => readYamlDocuments(join(dir, 'a.yaml'))).toThrow(/read this file differently/);
    writeFileSync(join(dir, 'b.yaml'), 'defaultMode: 288\n');
    expect(readYamlDocuments(join(dir, 'b.yaml'))).toEqual([{ defaultMode: 288 }]);
  });

  it('refuses a kustomization field the renderer would not apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqchain-kust-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: x\nresources: []\n');
    expect(() => renderKustomization(dir)).toThrow(/does not apply: namespace/);
  });
});
