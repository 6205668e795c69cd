import { describe, expect, it } from 'vitest';
import { updateFromDockerBody } from './update-body.js';

describe('updateFromDockerBody', () => {
  it('reads what the docker CLI sends: zero and null are unchanged', () => {
    // As `docker update --memory 64m --restart always` sends it (most fields zero or null).
    const body = {
      CpuShares: 0,
      Memory: 67108864,
      CgroupParent: '',
      BlkioWeight: 0,
      BlkioWeightDevice: null,
      CpusetCpus: '',
      MemorySwap: 0,
      MemorySwappiness: null,
      NanoCpus: 0,
      OomKillDisable: null,
      PidsLimit: null,
      Ulimits: null,
      RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
    };
    expect(updateFromDockerBody(body)).toEqual({
      memoryBytes: 67108864,
      restartPolicy: { name: 'always' },
    });
    expect(updateFromDockerBody({ PidsLimit: 0 })).toEqual({ pidsLimit: 0 });
  });

  it('refuses by name a change it cannot apply, never dropping it', () => {
    expect(() => updateFromDockerBody({ CpusetCpus: '0' })).toThrow(
      'CpusetCpus cannot be updated by Flotilla',
    );
    expect(() => updateFromDockerBody({ KernelMemory: 1 << 20 })).toThrow('KernelMemory');
    expect(() => updateFromDockerBody({ RestartPolicy: { Name: 'sometimes' } })).toThrow(
      'RestartPolicy.Name "sometimes" is not a restart policy',
    );
    expect(() => updateFromDockerBody({ Memory: 1.5 })).toThrow('Memory must be an integer');
  });
});
