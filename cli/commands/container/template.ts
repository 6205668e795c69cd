// Go-template subset for --format: {{.A.B}} and {{json .A}}.
/** A tiny subset of Go templates: {{.A.B}} and {{json .A}}. */
export function template(fmt: string, doc: Record<string, unknown>): string {
  return fmt.replace(
    /\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g,
    (_m, json: string | undefined, path: string) => {
      let v: unknown = doc;
      for (const k of path.split('.').filter(Boolean))
        v = (v as Record<string, unknown> | undefined)?.[k];
      return json || (typeof v === 'object' && v !== null)
        ? JSON.stringify(v)
        : String(v ?? '<no value>');
    },
  );
}
