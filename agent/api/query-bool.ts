// Boolean query parameters as Docker's daemon reads them (httputils.BoolValue): anything but empty,
// "0", "no", "false" or "none" (any case) is true, so docker-py's `force=True` is honoured.
export function queryBool(v: unknown): boolean {
  if (v === true) return true;
  if (typeof v !== 'string') return false;
  const s = v.trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

/** httputils.BoolValueOrDefault: `dflt` when the parameter is absent, else as queryBool. */
export function queryBoolOr(v: unknown, dflt: boolean): boolean {
  return v === undefined || v === null ? dflt : queryBool(v);
}
