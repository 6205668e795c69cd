// Picks the manifest for a platform out of an index, following containerd's matcher: same OS and
// architecture, the exact variant preferred, older variants of the same line accepted (arm v7 runs
// v6 images), attestation entries skipped.
import type { Descriptor, Platform } from './types.js';

const archAliases: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  x86: { architecture: '386' },
  i386: { architecture: '386' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
};

const nodeArch: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  ppc64: 'ppc64le',
  arm64: 'arm64',
  arm: 'arm',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The variant an architecture implies when none is given. */
const defaultVariant: Record<string, number> = { arm64: 8, arm: 7, amd64: 1 };

/** This machine's platform: linux plus process.arch mapped to OCI names. */
export function hostPlatform(): Platform {
  const architecture = nodeArch[process.arch] ?? process.arch;
  if (architecture === 'arm') {
    const armVersion = (process.config.variables as Record<string, unknown>).arm_version;
    return { os: 'linux', architecture, variant: `v${armVersion ?? 7}` };
  }
  return { os: 'linux', architecture };
}

export function normalizePlatform(p: Platform): Platform {
  const alias = archAliases[p.architecture.toLowerCase()];
  const architecture = alias?.architecture ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || alias?.variant;
  if (variant && /^\d+$/.test(variant)) variant = `v${variant}`;
  const out: Platform = { os: p.os.toLowerCase(), architecture };
  if (variant) out.variant = variant;
  return out;
}

/** os/arch[/variant], as docker prints platforms. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Parses os/arch[/variant] (e.g. linux/arm64/v8); returns undefined when malformed. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) return undefined;
  const p: Platform = { os: parts[0]!, architecture: parts[1]! };
  if (parts[2]) p.variant = parts[2];
  return normalizePlatform(p);
}

function variantLevel(p: Platform): number | undefined {
  const m = p.variant ? /^v(\d+)$/.exec(p.variant) : undefined;
  if (m) return Number(m[1]);
  return p.variant ? undefined : defaultVariant[p.architecture];
}

/** Lower is better; undefined means the candidate cannot run on `want`. */
function rank(candidate: Platform, want: Platform): number | undefined {
  if (candidate.os !== want.os || candidate.architecture !== want.architecture) return undefined;
  const have = variantLevel(candidate);
  const need = variantLevel(want);
  if (have !== undefined && need !== undefined) return have <= need ? need - have : undefined;
  return (candidate.variant ?? '') === (want.variant ?? '') ? 0 : undefined;
}

export function isAttestation(desc: Descriptor): boolean {
  return (
    desc.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (desc.platform?.os === 'unknown' && desc.platform?.architecture === 'unknown')
  );
}

/** The best entry for `want` (first one among equally good), or undefined. */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor | undefined {
  const target = normalizePlatform(want);
  let best: { desc: Descriptor; score: number } | undefined;
  for (const desc of manifests) {
    if (!desc.platform || isAttestation(desc)) continue;
    const score = rank(normalizePlatform(desc.platform), target);
    if (score !== undefined && (!best || score < best.score)) best = { desc, score };
  }
  return best?.desc;
}

/** The platforms an index offers, for NO_MATCHING_PLATFORM messages. */
export function availablePlatforms(manifests: Descriptor[]): string[] {
  return manifests
    .filter((d) => d.platform && !isAttestation(d))
    .map((d) => formatPlatform(normalizePlatform(d.platform!)));
}
