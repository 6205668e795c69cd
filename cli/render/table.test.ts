import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';

describe('renderTable', () => {
  it('pads columns like docker and trims the last', () => {
    expect(
      renderTable(
        ['REPOSITORY', 'TAG'],
        [
          ['a', 'latest'],
          ['longer-name', 'v1'],
        ],
      ),
    ).toBe('REPOSITORY    TAG\na             latest\nlonger-name   v1\n');
  });
});
