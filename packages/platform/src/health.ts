/**
 * Readiness: a set of named checks (database, Redis, breakers, subgraphs) that each resolve to
 * up or down. /health says the process lives; /health/ready says this process can serve.
 *
 * The rule for every service: only what the process itself cannot serve without is critical
 * (its own database, the gateway's loaded supergraph, shutting down) and answers 503. A
 * dependency whose loss only fails some fields (another subgraph, Redis, an upstream behind a
 * breaker) is reported as degraded with 200: taking this process out of rotation would not bring
 * that dependency back, and with every replica sharing it, it would take every replica out.
 */
import { gauge } from './metrics.ts';

export type CheckResult = { status: 'up' | 'down' | 'degraded'; detail?: string; latencyMs?: number };
export type HealthCheck = () => Promise<CheckResult | void>;

export interface ReadinessReport {
  status: 'ok' | 'degraded' | 'unavailable';
  checks: Record<string, CheckResult>;
  timestamp: string;
  version: string;
}

const readyGauge = gauge(
  'service_ready',
  'Readiness as /health/ready answers it: 1 serving (ok or degraded), 0 unavailable',
  ['service'] as const,
);
const checkGauge = gauge('health_check_status', 'Each readiness check: 1 up, 0.5 degraded, 0 down', [
  'service',
  'check',
] as const);
/** Services whose readiness a scrape evaluates (Prometheus never calls /health/ready itself). */
const exported = new Map<Health, string>();
let evaluating: Promise<void> | undefined;
function evaluateReadiness(): Promise<void> {
  evaluating ??= (async () => {
    const reports = await Promise.all(
      [...exported].map(async ([health, service]) => ({ service, report: await health.readiness(1_500) })),
    );
    readyGauge.reset();
    checkGauge.reset();
    for (const { service, report } of reports) {
      readyGauge.set({ service }, report.status === 'unavailable' ? 0 : 1);
      for (const [check, result] of Object.entries(report.checks)) {
        checkGauge.set(
          { service, check },
          result.status === 'up' ? 1 : result.status === 'degraded' ? 0.5 : 0,
        );
      }
    }
  })().finally(() => {
    evaluating = undefined;
  });
  return evaluating;
}
for (const metric of [readyGauge, checkGauge]) {
  (metric as unknown as { collect: () => Promise<void> }).collect = evaluateReadiness;
}

export class Health {
  private readonly checks = new Map<string, { check: HealthCheck; critical: boolean }>();
  private shuttingDown = false;

  /** With `service`, every scrape of /metrics evaluates the checks into service_ready and health_check_status. */
  constructor(
    private readonly version: string,
    service?: string,
  ) {
    if (service) exported.set(this, service);
  }

  /**
   * A critical check that fails makes the service unready (503); others only degrade it. No
   * default: every registration says which it is (see the rule above).
   */
  register(name: string, check: HealthCheck, options: { critical: boolean }) {
    this.checks.set(name, { check, critical: options.critical });
  }

  markShuttingDown() {
    this.shuttingDown = true;
  }

  get isShuttingDown() {
    return this.shuttingDown;
  }

  async readiness(timeoutMs = 2_000): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, critical }]) => {
        const started = performance.now();
        let result: CheckResult;
        try {
          const outcome = await Promise.race([
            check(),
            new Promise<CheckResult>((resolve) =>
              setTimeout(() => resolve({ status: 'down', detail: 'timed out' }), timeoutMs).unref(),
            ),
          ]);
          result = outcome ?? { status: 'up' };
        } catch (error) {
          result = { status: 'down', detail: error instanceof Error ? error.message : String(error) };
        }
        result.latencyMs = Math.round(performance.now() - started);
        return [name, result, critical] as const;
      }),
    );
    const checks: Record<string, CheckResult> = {};
    let status: ReadinessReport['status'] = 'ok';
    for (const [name, result, critical] of entries) {
      checks[name] = result;
      if (result.status === 'down' && critical) status = 'unavailable';
      else if (result.status !== 'up' && status === 'ok') status = 'degraded';
    }
    if (this.shuttingDown) {
      status = 'unavailable';
      checks.shutdown = { status: 'down', detail: 'shutting down' };
    }
    return { status, checks, timestamp: new Date().toISOString(), version: this.version };
  }
}
