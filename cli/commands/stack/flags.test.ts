import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';

const calls: unknown[] = [];
vi.mock('./deploy.js', () => ({
  runStackDeploy: (_c: unknown, name: string, o: { detach?: boolean }) =>
    void calls.push([name, o.detach]),
}));

const { registerStackCommands } = await import('./index.js');

async function parse(...argv: string[]) {
  const program = new Command().exitOverride();
  registerStackCommands(program, () => ({}) as never);
  await program.parseAsync(['stack', ...argv], { from: 'user' });
  return calls.pop();
}

describe('stack deploy --detach', () => {
  it('waits by default and takes -d, --detach and --detach=false like docker', async () => {
    expect(await parse('deploy', '-c', 'f.yml', 'shop')).toEqual(['shop', undefined]);
    expect(await parse('deploy', '-d', 'shop', '-c', 'f.yml')).toEqual(['shop', true]);
    expect(await parse('deploy', '--detach', '-c', 'f.yml', 'shop')).toEqual(['shop', true]);
    expect(await parse('deploy', '--detach=false', '-c', 'f.yml', 'shop')).toEqual(['shop', false]);
  });
});
