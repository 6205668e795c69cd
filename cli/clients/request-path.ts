// The path of an API request with its query: `undefined` values are left out, the rest encoded.
export type Query = Record<string, string | number | boolean | undefined>;

export function requestPath(path: string, query?: Query): string {
  const qs = query
    ? Object.entries(query)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&')
    : '';
  return qs ? `${path}?${qs}` : path;
}
