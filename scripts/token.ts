/**
 * Prints a development user token on standard output, and nothing else:
 *   npm run -s token -- --role TRAVELER [--user ID] [--email E] [--name N] [--region US_EAST] [--expires 12h]
 * A new user without --region lands in the trip subgraph's TRIP_DEFAULT_REGION.
 * Signed with JWT_SECRET (the development default when unset), as the gateway verifies it.
 */
// Narrow imports (the config and the signer, not the gateway): the command answers at once.
import { regions, roles, type Region, type Role } from '@traveloure/platform/identity';
import { loadGatewayConfig } from '@traveloure/gateway/config';
import { mintToken } from '@traveloure/gateway/tokens';

import { fail, parseCommandLine } from './command-line.ts';

const usage =
  'usage: npm run -s token -- [--role TRAVELER] [--user ID] [--email E] [--name N] [--region US_EAST] [--expires 12h]';

const { values } = parseCommandLine(
  {
    options: {
      role: { type: 'string', default: 'TRAVELER' },
      user: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  },
  usage,
);

const role = values.role!.toUpperCase() as Role;
if (!roles.includes(role)) fail(`--role must be one of ${roles.join(', ')}`);
const region = values.region?.toUpperCase() as Region | undefined;
if (region && !regions.includes(region)) fail(`--region must be one of ${regions.join(', ')}`);

let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const token = await mintToken({
  role,
  userId: values.user,
  email: values.email,
  name: values.name,
  region,
  expiresIn: values.expires,
  // Claims not given stay out, so signing in as a demo user keeps its name, email and region.
  onlyGivenClaims: true,
  secret: config.JWT_SECRET,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});
process.stdout.write(token + '\n');
