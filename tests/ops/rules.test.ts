/**
 * The shipped alerting set-up is valid and does what it says: Prometheus's own tools check the
 * rules and the scrape configuration, run the rule unit tests (deploy/prometheus/alerts.test.yml)
 * and check the Alertmanager routing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployDir, requireBinary, run } from './tools.ts';

describe('deploy/prometheus', () => {
  it('the alert rules pass promtool check rules', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    expect(run(promtool, ['check', 'rules', 'prometheus/alerts.yml'])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('every alert fires as its unit test expects (promtool test rules)', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    const output = run(promtool, ['test', 'rules', 'alerts.test.yml'], join(deployDir, 'prometheus'));
    expect(output).toContain('SUCCESS');
    // Each alert of the rule file has a unit test.
    const rules = readFileSync(join(deployDir, 'prometheus/alerts.yml'), 'utf8');
    const tested = readFileSync(join(deployDir, 'prometheus/alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]);
    expect(alerts.length).toBeGreaterThan(8);
    for (const alert of alerts) expect(tested, alert).toContain(`alertname: ${alert}`);
  });

  it('the example scrape configuration passes promtool check config', () => {
    const promtool = requireBinary('promtool', 'prometheus');
    expect(run(promtool, ['check', 'config', 'prometheus/prometheus.yml'])).toContain('SUCCESS');
  });

  it('the Alertmanager routing passes amtool check-config and routes pages to PagerDuty', () => {
    const amtool = requireBinary('amtool', 'prometheus-alertmanager');
    const output = run(amtool, ['check-config', 'prometheus/alertmanager.yml']);
    expect(output).toContain('SUCCESS');
    expect(output).toMatch(/2 receivers/);
    const route = (labels: string) =>
      run(amtool, [
        'config',
        'routes',
        'test',
        '--config.file',
        'prometheus/alertmanager.yml',
        ...labels.split(' '),
      ]).trim();
    expect(route('severity=page service=trip')).toBe('pagerduty-oncall,opsgenie-tickets');
    expect(route('severity=ticket service=search')).toBe('opsgenie-tickets');
  });
});
