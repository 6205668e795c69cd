import { describe, expect, it } from 'vitest';
import { newTaskId } from './task-factory.js';

describe('newTaskId', () => {
  it('makes ids of 25 lowercase alphanumerics, all distinct across many random-pool refills', () => {
    const ids = Array.from({ length: 5000 }, () => newTaskId());
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{25}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
