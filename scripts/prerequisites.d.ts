// Types of scripts/prerequisites.js (plain JavaScript: .ci/run runs it before `npm ci`).
export interface Prerequisite {
  /** The Debian package. */
  name: string;
  /** What needs it. */
  why: string;
  present(): boolean;
}
export const PACKAGES: Prerequisite[];
export const NEEDS: Record<'test' | 'start' | 'ci', string[]>;
export function missingFor(what: 'test' | 'start' | 'ci'): Prerequisite[];
export function referencePython(): string | undefined;
