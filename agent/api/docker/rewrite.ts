// Docker clients address the engine as /v1.NN/<path>. The version prefix is stripped; where
// Docker's body differs from Flotilla's own route, the request goes to the translator under /docker.
export const minApiVersion = '1.41';
export const maxApiVersion = '1.50';

/** Routes whose Docker shape differs from Flotilla's: served by agent/api/docker under /docker. */
const dockerOnly: [method: string, path: RegExp][] = [
  ['*', /^\/(_ping|version|info)$/],
  ['POST', /^\/containers\/create$/],
  ['GET', /^\/containers\/json$/],
  ['GET', /^\/containers\/[^/]+\/stats$/],
  ['POST', /^\/containers\/[^/]+\/wait$/],
  ['GET', /^\/containers\/[^/]+\/json$/],
  ['POST', /^\/containers\/[^/]+\/exec$/],
  ['GET', /^\/exec\/[^/]+\/json$/],
  ['POST', /^\/exec\/[^/]+\/start$/],
  ['POST', /^\/images\/create$/],
  ['GET', /^\/images\/json$/],
];

const versioned = /^\/v(\d+)\.(\d+)(\/.*)$/;

/** The version a client asked for ('1.50'), or undefined for an unversioned path. */
export function requestedVersion(url: string): string | undefined {
  const m = versioned.exec(url);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** Older than the oldest version served: answered with Docker's 400 by the /docker routes. */
export function versionTooOld(v: string): boolean {
  const [maj, min] = v.split('.').map(Number);
  const [oMaj, oMin] = minApiVersion.split('.').map(Number);
  return maj < oMaj || (maj === oMaj && min < oMin);
}

/**
 * fastify's rewriteUrl: `/v1.50/containers/json?all=1` → `/docker/containers/json?all=1`,
 * `/v1.50/containers/x/start` → `/containers/x/start`. Unversioned /_ping, /version and /info
 * are Docker's too (clients call them before negotiating).
 */
export function rewriteDockerUrl(method: string, url: string): string {
  const m = versioned.exec(url);
  const rest = m ? m[3] : url;
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  if (!m && !/^\/(_ping|version|info)$/.test(path)) return url;
  if (m && versionTooOld(`${m[1]}.${m[2]}`)) return `/docker/too-old/${m[1]}.${m[2]}`;
  for (const [verb, re] of dockerOnly)
    if ((verb === '*' || verb === method) && re.test(path)) return `/docker${rest}`;
  return rest;
}
