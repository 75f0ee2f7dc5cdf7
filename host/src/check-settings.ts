import { checkConfigs, loadConfig } from '@traveloure/platform/config';
import { loadGatewayConfig } from '@traveloure/gateway/config';
import type { ServiceManifest } from './services.ts';

/** Every service's settings and the gateway's, all problems reported at once (`checkConfigs`). */
export function checkEverySetting(manifests: readonly ServiceManifest[]): void {
  checkConfigs([
    ...manifests.map((manifest) => ({
      service: manifest.name,
      load: (source: Record<string, string | undefined>) => loadConfig(manifest.configSchema, source),
    })),
    { service: 'gateway', load: loadGatewayConfig },
  ]);
}
