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
  ['GET', /^\/images\/search$/],
  ['POST', /^\/images\/[^/]+\/tag$/],
  ['POST', /^\/images\/[^/]+\/push$/],
  ['POST', /^\/images\/load$/],
  ['GET', /^\/networks$/],
  ['GET', /^\/networks\/[^/]+$/],
  ['POST', /^\/networks\/(create|prune)$/],
  ['POST', /^\/networks\/[^/]+\/(connect|disconnect)$/],
];

/** Image routes with the name in the path: Docker sends `registry:5000/a/b:1` unescaped. */
const imageByName = /^\/images\/(.+?)(\/(?:json|history|tag|push|get))?$/;
const imageCollection = /^\/images\/(create|json|search|get|load|prune|import|pull|push)$/;

/**
 * Docker's daemon matches `/images/{name:.*}/json`; fastify's `:name` stops at a slash, so the
 * name is percent-encoded into one segment (fastify decodes params) before routing.
 */
function encodeImageName(path: string): string {
  if (imageCollection.test(path)) return path;
  const m = imageByName.exec(path);
  if (!m || !m[1].includes('/')) return path;
  return `/images/${encodeURIComponent(m[1])}${m[2] ?? ''}`;
}

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
  const rawPath = q < 0 ? rest : rest.slice(0, q);
  if (!m && !/^\/(_ping|version|info)$/.test(rawPath)) return url;
  if (m && versionTooOld(`${m[1]}.${m[2]}`)) return `/docker/too-old/${m[1]}.${m[2]}`;
  const path = encodeImageName(rawPath);
  const query = q < 0 ? '' : rest.slice(q);
  for (const [verb, re] of dockerOnly)
    if ((verb === '*' || verb === method) && re.test(path)) return `/docker${path}${query}`;
  return path + query;
}
