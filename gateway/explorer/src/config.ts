/** What GET /explorer/config.json tells the page (see gateway/src/edge/explorer.ts). */
export interface ExplorerOperation {
  name: string;
  id: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
  /** Who can run it: `anyone`, `user` (a user token), `analyst` or `admin`. */
  audience: 'anyone' | 'user' | 'analyst' | 'admin';
  /** The analytics endpoint's CSV export of it, for analysts. */
  csvUrl?: string;
}

export interface DemoUser {
  id: string;
  name: string;
  role: string;
}

export interface ExplorerConfig {
  endpoint: string;
  development: boolean;
  planEndpoint: string;
  /** Only in development: mints a token for one of demoUsers. */
  signInEndpoint?: string;
  demoUsers: DemoUser[];
  /** The persisted-operations manifest; operations anyone can run come first. */
  operations: ExplorerOperation[];
}
