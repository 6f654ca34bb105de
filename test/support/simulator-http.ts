import type { RunningSimulator } from '../../simulator';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const jsonOf = (res: Response): Promise<any> => res.json();

/** A bearer token from the simulator's token endpoint (the demo client unless told otherwise). */
export async function tokenFor(sim: RunningSimulator, clientId = 'demo-client', clientSecret = 'demo-secret'): Promise<string> {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'studies:read', client_id: clientId, client_secret: clientSecret }),
  });
  return (await jsonOf(res)).access_token;
}
