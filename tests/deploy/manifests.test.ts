/**
 * The Kubernetes layouts as a cluster would receive them: each rendered by kustomize (kubectl's
 * built-in `kubectl kustomize`, or a `kustomize` binary), every object checked against the
 * Kubernetes API schema (kubernetes-models), then against what the deployment promises: one
 * namespace under Pod Security "restricted", versioned images, disruption budgets, the network
 * policies' reachability, the migration Job, bundles that exist. docker-compose.yml and the
 * Dockerfile are held to the same entry points.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { entryPoints, repositoryRoot } from '../../scripts/build.ts';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
} & Record<string, any>;

const packageVersion = (
  JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }
).version;
const bundles = new Set(Object.values(entryPoints));

/** kustomize as shipped in kubectl (v1.14+), else a standalone kustomize binary. */
function renderer(): { file: string; args: (dir: string) => string[] } {
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0) {
    return { file: 'kubectl', args: (dir) => ['kustomize', dir] };
  }
  if (spawnSync('kustomize', ['version'], { stdio: 'ignore' }).status === 0) {
    return { file: 'kustomize', args: (dir) => ['build', dir] };
  }
  throw new Error('rendering deploy/k8s needs kubectl (kubectl kustomize) or kustomize on the PATH');
}

function render(layout: string): K8sObject[] {
  const { file, args } = renderer();
  const output = execFileSync(file, args(join(repositoryRoot, layout)), { encoding: 'utf8' });
  return parseAllDocuments(output)
    .map((document) => document.toJS() as K8sObject)
    .filter(Boolean);
}

/** The kubernetes-models class of an object's apiVersion and kind: its validate() is the API's schema. */
async function validateAgainstApiSchema(object: K8sObject) {
  const group = object.apiVersion.includes('/') ? object.apiVersion : `v1`;
  const models = (await import(`kubernetes-models/${group}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

function matches(selector: Selector | undefined, labels: Labels = {}): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
    const ok = {
      In: value !== undefined && (expression.values ?? []).includes(value),
      NotIn: value === undefined || !(expression.values ?? []).includes(value),
      Exists: value !== undefined,
      DoesNotExist: value === undefined,
    }[expression.operator];
    if (!ok) return false;
  }
  return true;
}

const workloads = (objects: K8sObject[]) =>
  objects.filter((object) => ['Deployment', 'Job'].includes(object.kind));
const deployments = (objects: K8sObject[]) => objects.filter((object) => object.kind === 'Deployment');
const podLabels = (workload: K8sObject): Labels => workload.spec.template.metadata.labels ?? {};

interface Peer {
  labels: Labels;
  namespaceLabels: Labels;
}

/**
 * Whether a pod may receive a connection on a named port, by NetworkPolicy's ingress rules: a pod
 * no policy selects takes everything; one that any policy selects, only what some rule allows.
 */
function ingressAllowed(objects: K8sObject[], target: Labels, port: string, from: Peer): boolean {
  const policies = objects.filter(
    (object) => object.kind === 'NetworkPolicy' && matches(object.spec.podSelector, target),
  );
  if (policies.length === 0) return true;
  const ownNamespace = { 'kubernetes.io/metadata.name': 'traveloure' };
  const sameNamespace = Object.entries(ownNamespace).every(
    ([key, value]) => from.namespaceLabels[key] === value,
  );
  return policies.some((policy) =>
    (policy.spec.ingress ?? []).some((rule: { from?: any[]; ports?: { port: string | number }[] }) => {
      const portOk = !rule.ports || rule.ports.some((allowed) => allowed.port === port);
      const peerOk =
        !rule.from ||
        rule.from.some((peer: { podSelector?: Selector; namespaceSelector?: Selector }) => {
          const namespaceOk = peer.namespaceSelector
            ? matches(peer.namespaceSelector, from.namespaceLabels)
            : sameNamespace;
          const podOk = peer.podSelector ? matches(peer.podSelector, from.labels) : true;
          return namespaceOk && podOk;
        });
      return portOk && peerOk;
    }),
  );
}

const layouts = ['deploy/k8s', 'deploy/k8s/overlays/blue-green', 'deploy/k8s/overlays/canary'];

describe.each(layouts)('%s', (layout) => {
  const objects = render(layout);

  it('renders, and every object is valid by the Kubernetes API schema', async () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      await expect(
        validateAgainstApiSchema(object),
        `${object.kind} ${object.metadata.name}`,
      ).resolves.toBeUndefined();
    }
  });

  it('puts everything in the traveloure namespace, which it creates under Pod Security "restricted"', () => {
    const namespace = objects.find((object) => object.kind === 'Namespace');
    expect(namespace?.metadata.name).toBe('traveloure');
    expect(namespace?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    for (const object of objects.filter((object) => object.kind !== 'Namespace')) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe('traveloure');
    }
    // The Secret every pod reads is made by hand, in that namespace: the documented command says so.
    const secretRefs = workloads(objects).flatMap((workload) =>
      workload.spec.template.spec.containers.flatMap((container: any) =>
        (container.envFrom ?? [])
          .filter((source: any) => source.secretRef)
          .map((source: any) => source.secretRef.name),
      ),
    );
    expect(new Set(secretRefs)).toEqual(new Set(['traveloure-secrets']));
    for (const doc of ['deploy/k8s/base/config.yaml', 'docs/operations.md']) {
      const text = readFileSync(join(repositoryRoot, doc), 'utf8');
      expect(
        text.includes('kubectl create secret generic traveloure-secrets --namespace traveloure'),
        doc,
      ).toBe(true);
    }
  });

  it('runs every pod as the "restricted" profile demands, with a read-only root and an emptyDir /tmp', () => {
    expect(workloads(objects).length).toBeGreaterThan(5);
    for (const workload of workloads(objects)) {
      const pod = workload.spec.template.spec;
      const where = `${workload.kind} ${workload.metadata.name}`;
      expect(pod.hostNetwork ?? false, where).toBe(false);
      expect(pod.hostPID ?? false, where).toBe(false);
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.runAsUser, where).not.toBe(0);
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const volume of pod.volumes ?? []) expect(volume.hostPath, where).toBeUndefined();
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const context = container.securityContext ?? {};
        const seccomp = context.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
        expect(seccomp, where).toBe('RuntimeDefault');
        expect(context.allowPrivilegeEscalation, where).toBe(false);
        expect(context.privileged ?? false, where).toBe(false);
        expect(context.capabilities?.drop, where).toContain('ALL');
        expect(context.capabilities?.add ?? [], where).toEqual([]);
        expect(context.readOnlyRootFilesystem, where).toBe(true);
        const tmp = (container.volumeMounts ?? []).find((mount: any) => mount.mountPath === '/tmp');
        expect(tmp, where).toBeDefined();
        expect(pod.volumes.find((volume: any) => volume.name === tmp.name)?.emptyDir, where).toBeDefined();
      }
    }
  });

  it('tags every image with a release version, never latest, and names the migration Job after it', () => {
    const tags = new Set<string>();
    for (const workload of workloads(objects)) {
      for (const container of workload.spec.template.spec.containers) {
        const [, tag] = /^(?:[\w./-]+\/)?traveloure-supergraph:(.+)$/.exec(container.image) ?? [];
        expect(tag, `${workload.metadata.name}: ${container.image}`).toMatch(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
        tags.add(tag!);
        expect(container.imagePullPolicy ?? 'IfNotPresent').not.toBe('Always');
      }
    }
    if (layout === 'deploy/k8s') expect([...tags]).toEqual([packageVersion]);
    const jobs = objects.filter((object) => object.kind === 'Job');
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const tag = job.spec.template.spec.containers[0].image.split(':').pop();
      expect(job.metadata.name).toMatch(new RegExp(`^migrate-${tag.replaceAll('.', '\\.')}(-|$)`));
      expect(job.spec.template.spec.containers[0].command).toEqual([
        'node',
        '--enable-source-maps',
        entryPoints['host/src/migrate.ts'],
      ]);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
    }
  });

  it('starts each service from a bundle npm run build makes, not from TypeScript', () => {
    for (const deployment of deployments(objects)) {
      for (const container of deployment.spec.template.spec.containers) {
        const entry = container.env.find((variable: any) => variable.name === 'ENTRY')?.value;
        expect(bundles.has(entry), `${deployment.metadata.name}: ${entry}`).toBe(true);
        expect(container.command, deployment.metadata.name).toBeUndefined();
      }
    }
  });

  it('gives each Deployment its own pods and a disruption budget, the worker included', () => {
    const all = deployments(objects);
    expect(all.map((deployment) => deployment.metadata.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^notification-worker/)]),
    );
    for (const deployment of all) {
      const name = deployment.metadata.name;
      expect(matches(deployment.spec.selector, podLabels(deployment)), name).toBe(true);
      for (const other of all.filter((other) => other !== deployment)) {
        expect(
          matches(deployment.spec.selector, podLabels(other)),
          `${name} selects ${other.metadata.name}'s pods`,
        ).toBe(false);
      }
      if (podLabels(deployment)['traveloure.io/track'] === 'canary') continue;
      const budgets = objects.filter(
        (object) =>
          object.kind === 'PodDisruptionBudget' && matches(object.spec.selector, podLabels(deployment)),
      );
      expect(budgets.length, `${name} has a PodDisruptionBudget`).toBeGreaterThan(0);
    }
  });

  it('lets only the gateway reach the subgraphs, and only the scraper reach the metrics port', () => {
    const byName = (name: string) => {
      const found = deployments(objects).filter(
        (deployment) => podLabels(deployment)['app.kubernetes.io/name'] === name,
      );
      expect(found.length, name).toBeGreaterThan(0);
      return podLabels(found[0]!);
    };
    const inNamespace = (labels: Labels): Peer => ({
      labels,
      namespaceLabels: { 'kubernetes.io/metadata.name': 'traveloure' },
    });
    const gateway = inNamespace(byName('gateway'));
    const worker = inNamespace(byName('notification-worker'));
    const ingressController: Peer = {
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
      namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
    };
    const scraper: Peer = {
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
    };
    const otherPodInMonitoring: Peer = {
      labels: { app: 'grafana' },
      namespaceLabels: scraper.namespaceLabels,
    };
    const prometheusElsewhere: Peer = {
      labels: scraper.labels,
      namespaceLabels: ingressController.namespaceLabels,
    };

    expect(ingressAllowed(objects, gateway.labels, 'http', ingressController)).toBe(true);
    for (const subgraph of ['trip', 'ai', 'search', 'notification']) {
      const target = byName(subgraph);
      expect(ingressAllowed(objects, target, 'http', gateway), `gateway -> ${subgraph}`).toBe(true);
      expect(ingressAllowed(objects, target, 'http', worker), `worker -> ${subgraph}`).toBe(false);
      expect(ingressAllowed(objects, target, 'http', ingressController), `ingress -> ${subgraph}`).toBe(
        false,
      );
      expect(
        ingressAllowed(objects, target, 'http', inNamespace(byName(subgraph === 'trip' ? 'ai' : 'trip'))),
      ).toBe(false);
    }
    for (const name of ['gateway', 'trip', 'ai', 'search', 'notification', 'notification-worker']) {
      const target = byName(name);
      expect(ingressAllowed(objects, target, 'metrics', scraper), `scraper -> ${name}:metrics`).toBe(true);
      for (const intruder of [gateway, ingressController, otherPodInMonitoring, prometheusElsewhere]) {
        expect(
          ingressAllowed(objects, target, 'metrics', intruder),
          `${JSON.stringify(intruder)} -> ${name}`,
        ).toBe(false);
      }
    }
    // The worker serves only its probes and metrics: no one else reaches it.
    expect(ingressAllowed(objects, worker.labels, 'http', gateway)).toBe(false);
    // Every container names its ports, since the policies open ports by name.
    for (const deployment of deployments(objects)) {
      const names = deployment.spec.template.spec.containers.flatMap((container: any) =>
        container.ports.map((port: any) => port.name),
      );
      expect(names, deployment.metadata.name).toEqual(expect.arrayContaining(['http', 'metrics']));
    }
  });

  it('routes every Service to pods that exist', () => {
    for (const service of objects.filter((object) => object.kind === 'Service')) {
      const backing = deployments(objects).filter((deployment) =>
        matches({ matchLabels: service.spec.selector }, podLabels(deployment)),
      );
      expect(backing.length, service.metadata.name).toBeGreaterThan(0);
    }
  });
});

describe('blue-green overlay', () => {
  const objects = render('deploy/k8s/overlays/blue-green');

  it('runs two complete stacks, each gateway calling its own color, and sends clients to one', () => {
    const services = new Map(
      objects
        .filter((object) => object.kind === 'Service')
        .map((service) => [service.metadata.name, service]),
    );
    for (const color of ['blue', 'green']) {
      const gateway = objects.find(
        (object) => object.kind === 'Deployment' && object.metadata.name === `gateway-${color}`,
      );
      expect(gateway, color).toBeDefined();
      const env = gateway!.spec.template.spec.containers[0].env as { name: string; value: string }[];
      for (const subgraph of ['trip', 'ai', 'search', 'notification']) {
        const url = new URL(env.find((variable) => variable.name === `${subgraph.toUpperCase()}_URL`)!.value);
        expect(url.hostname).toBe(`${subgraph}-${color}`);
        const service = services.get(url.hostname);
        expect(service?.spec.selector, url.hostname).toMatchObject({ 'traveloure.io/color': color });
      }
      expect(
        objects.filter((object) => object.kind === 'Job' && object.metadata.name.endsWith(`-${color}`)),
      ).toHaveLength(1);
    }
    const live = services.get('gateway-live');
    const liveColor = live?.spec.selector['traveloure.io/color'];
    expect(['blue', 'green']).toContain(liveColor);
    const backing = deployments(objects).filter((deployment) =>
      matches({ matchLabels: live!.spec.selector }, podLabels(deployment)),
    );
    expect(backing.map((deployment) => deployment.metadata.name)).toEqual([`gateway-${liveColor}`]);
  });
});

describe('canary overlay', () => {
  const objects = render('deploy/k8s/overlays/canary');

  it('adds one canary pod per service that the stable Services also route to, nothing else', () => {
    const canaries = deployments(objects).filter(
      (deployment) => podLabels(deployment)['traveloure.io/track'] === 'canary',
    );
    expect(canaries.map((deployment) => deployment.metadata.name).sort()).toEqual(
      ['ai', 'gateway', 'notification', 'notification-worker', 'search', 'trip'].map(
        (name) => `${name}-canary`,
      ),
    );
    const standard = render('deploy/k8s');
    const key = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;
    // The stable track is the standard release, unchanged.
    const stable = objects.filter((object) => !object.metadata.name.endsWith('-canary'));
    expect(stable.map(key).sort()).toEqual(standard.map(key).sort());
    for (const canary of canaries) {
      expect(canary.spec.replicas).toBe(1);
      const name = podLabels(canary)['app.kubernetes.io/name']!;
      const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === name);
      if (name !== 'notification-worker') {
        expect(matches({ matchLabels: service!.spec.selector }, podLabels(canary)), name).toBe(true);
      }
    }
    expect(
      objects.filter(
        (object) =>
          ['Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler'].includes(object.kind) &&
          object.metadata.name.endsWith('-canary'),
      ),
    ).toEqual([]);
  });
});

describe('docker-compose.yml and the Dockerfile', () => {
  it('compose runs the bundles, after a one-shot migration, from an image tagged with the version', () => {
    const compose = parse(readFileSync(join(repositoryRoot, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as {
      services: Record<
        string,
        {
          image?: string;
          environment?: Record<string, string>;
          depends_on?: Record<string, { condition: string }>;
        }
      >;
    };
    const app = Object.entries(compose.services).filter(([, service]) => service.environment?.ENTRY);
    expect(app.map(([name]) => name).sort()).toEqual([
      'ai',
      'gateway',
      'migrate',
      'notification',
      'notification-worker',
      'search',
      'trip',
    ]);
    for (const [name, service] of app) {
      expect(bundles.has(service.environment!.ENTRY!), `${name}: ${service.environment!.ENTRY}`).toBe(true);
      expect(service.image).toBe(`traveloure-supergraph:\${TRAVELOURE_VERSION:-${packageVersion}}`);
      if (name !== 'migrate') {
        expect(service.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
      }
    }
    expect(compose.services.migrate!.environment!.ENTRY).toBe(entryPoints['host/src/migrate.ts']);
  });

  it('the image builds the bundles and runs them with node, without tsx or dev dependencies', () => {
    const dockerfile = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages.find((stage) => / AS runtime/.test(stage.split('\n')[0]!))!;
    expect(runtime).toBeDefined();
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^RUN npm prune --omit=dev/m);
    expect(runtime).not.toMatch(/tsx|\.ts\b/);
    expect(runtime).toMatch(/^CMD \["sh", "-c", "exec node --enable-source-maps \\"\$ENTRY\\""\]$/m);
    const entry = /ENTRY=(\S+)/.exec(runtime)?.[1];
    expect(bundles.has(entry!), entry).toBe(true);
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    // tsx is for development only: the pruned image has none, so nothing can lean on it.
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8'));
    expect(manifest.dependencies?.tsx).toBeUndefined();
  });
});
