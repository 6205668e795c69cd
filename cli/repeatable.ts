// commander helpers for Docker-style flags that may be given several times (-e, -p, -v, -l).
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
