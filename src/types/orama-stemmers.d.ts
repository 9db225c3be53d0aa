// The package maps '@orama/stemmers/russian' through package.json "exports", which TypeScript's
// "node" module resolution does not read; Node's require does. This declares the one entry we use.
declare module '@orama/stemmers/russian' {
  export function stemmer(word: string): string;
}
