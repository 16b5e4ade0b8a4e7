// The generated types (schema.ts) bound to openapi-fetch. Regenerate schema.ts with `npm run
// generate` after changing openapi.yaml; `make test` fails while the checked-in copy differs from
// what the contract generates.
import createClient, { type ClientOptions } from "openapi-fetch";

import type { paths } from "./schema.js";

/** A client for `baseUrl` (the gateway's address, without `/api`). Cookies are sent, as the
 * web app does, so a cross-origin gateway must list the app's origin in CORS_ORIGINS. */
export function createDovvyClient(baseUrl: string, options: Omit<ClientOptions, "baseUrl"> = {}) {
  return createClient<paths>({ credentials: "include", ...options, baseUrl });
}

export type DovvyClient = ReturnType<typeof createDovvyClient>;
