import { describe, expect, it } from 'vitest';
import { imageFilters, matchesReference } from './images.js';

describe('image filters', () => {
  it("matches references as Docker's FamiliarMatch: name:tag or the bare name, globs stop at /", () => {
    expect(matchesReference('busybox', 'busybox:latest')).toBe(true);
    expect(matchesReference('busybox:*', 'busybox:1.36')).toBe(true);
    expect(matchesReference('busybox:1.?6', 'busybox:1.36')).toBe(true);
    expect(matchesReference('bus*', 'library/busybox:latest')).toBe(false);
    expect(matchesReference('*/app', 'localhost:5000/app:v1')).toBe(true);
    expect(matchesReference('app', 'localhost:5000/app:v1')).toBe(false);
    expect(matchesReference('localhost:5000/*', 'localhost:5000/app:v1')).toBe(true);
    expect(matchesReference('busybox:latest', 'busybox:1.36')).toBe(false);
  });

  it("refuses an unknown key and a dangling value that is not a boolean, in Docker's words", () => {
    expect(() => imageFilters('{"color":["red"]}')).toThrow("invalid filter 'color'");
    expect(() => imageFilters('{"dangling":["maybe"]}')).toThrow("invalid filter 'dangling=maybe'");
    expect([...imageFilters('{"label":{"a=b":true}}')]).toEqual([['label', ['a=b']]]);
  });
});
